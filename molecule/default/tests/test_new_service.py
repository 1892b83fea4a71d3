"""Adding a service is one folder and one line in the list (DEV_DOC.md, "Add a service").

A copy of the collection gets a throwaway service: the folder roles/throwaway
(busybox httpd, its templates, defaults, argument specs, its description and
the one-task hand-over) and one line in playbooks/vars/services.yml, nothing
else. Its site playbook then builds and runs it next to the running stack,
which it leaves alone; `make status` lists it; switched off, it is removed;
and the collection without it (this checkout) removes it too, as a service
gone from the list.

Default scenario only: it drives the playbooks from this controller.
"""
import os
import re
import subprocess

import pytest

from conftest import EPHEMERAL, ROOT, SCENARIO, SERVICES, settled
from playbook import collection_copy, private_json, run_playbook

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbooks from this controller")

FOLDER = {
    "defaults/main.yml": """---
throwaway_greeting: Hello from a throwaway service
""",
    "meta/main.yml": """---
galaxy_info:
  role_name: throwaway
  namespace: fortytwo
  author: the test suite
  description: A throwaway service, added as one folder and one line.
  license: MIT
  min_ansible_version: "2.19"
dependencies:
  - role: fortytwo.inception.service
""",
    "meta/argument_specs.yml": """---
argument_specs:
  main:
    short_description: A throwaway service.
    options:
      throwaway_greeting:
        type: str
        description: What it serves.
""",
    "vars/main.yml": """---
throwaway_service:
  name: throwaway
  container: "{{ inception_name_prefix }}throwaway"
  build_files:
    - {src: Dockerfile.j2, dest: Dockerfile, mode: "0644"}
    - {src: index.html.j2, dest: index.html, mode: "0644"}
  user: "65534:65534"
  # Where its container differs from inception_container_profile.
  profile: {memory: 16m, cpu_shares: 64, pids_limit: 8, stop_timeout: 2}
  healthcheck:
    test: [CMD, busybox, wget, -q, -O, /dev/null, "http://127.0.0.1:8080/"]
    start_period: 10s
  summary: ["Throwaway:      {{ inception_name_prefix }}throwaway"]
""",
    "tasks/main.yml": """---
- name: Hand the throwaway service to the service role
  ansible.builtin.include_role:
    name: fortytwo.inception.service
    tasks_from: "{{ inception_step | default('deploy') }}"
  vars:
    service: "{{ throwaway_service }}"
""",
    "templates/Dockerfile.j2": """# {{ ansible_managed }}
FROM {{ inception_base_image }}
RUN apt-get update && apt-get install -y --no-install-recommends busybox \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY index.html /srv/www/index.html
USER 65534:65534
CMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/srv/www"]
""",
    "templates/index.html.j2": "{{ throwaway_greeting }}\n",
}


def changed(result):
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return int(re.search(r"changed=(\d+)\s+unreachable=0\s+failed=0", output).group(1))


@pytest.fixture(scope="module")
def with_throwaway(tmp_path_factory):
    """The collection as a user's checkout plus one folder and one line."""
    copy = collection_copy(tmp_path_factory.mktemp("with-throwaway"))[0]
    for name, text in FOLDER.items():
        (copy / "roles" / "throwaway" / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / "roles" / "throwaway" / name).write_text(text)
    services = copy / "playbooks" / "vars" / "services.yml"
    services.write_text(services.read_text() + "  - throwaway\n")
    return copy


def run_copy(copy, playbook, *args):
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
           "ANSIBLE_COLLECTIONS_PATH": str(copy.parent / "collections"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_VAULT_PASSWORD_FILE": str(ROOT / ".cache" / "vault-stand-in")}
    for name in ("ANSIBLE_LOG_PATH", "ANSIBLE_FORCE_COLOR"):
        env.pop(name, None)
    return subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(EPHEMERAL / "inventory"),
                           str(copy / "playbooks" / playbook), *args],
                          cwd=copy, env=env, check=False, capture_output=True, text=True, timeout=900)


def test_a_new_service_is_one_folder_and_one_line(host, stack, inspect, with_throwaway, tmp_path):
    name = stack["prefix"] + "throwaway"
    before = {s: inspect(stack["prefix"] + s)["Id"] for s in SERVICES}
    try:
        assert changed(run_copy(with_throwaway, "site.yml")) > 0
        container = settled(inspect, name)
        assert container["State"]["Health"]["Status"] == "healthy"
        assert re.fullmatch(r"throwaway:[0-9a-f]{12}", container["Config"]["Image"])
        assert list(container["NetworkSettings"]["Networks"]) == [stack["network"]]
        # What every service gets from the service role.
        assert container["HostConfig"]["CapDrop"] == ["ALL"] and container["HostConfig"]["ReadonlyRootfs"]
        assert container["HostConfig"]["SecurityOpt"] == ["no-new-privileges=true"]
        assert container["Config"]["Labels"]["fortytwo.inception.role"] == "throwaway"
        page = host.check_output(f"docker exec {name} busybox wget -q -O - http://127.0.0.1:8080/")
        assert page.strip() == "Hello from a throwaway service"
        # The stack it joined was left alone, and a second run changes nothing.
        assert {s: inspect(stack["prefix"] + s)["Id"] for s in SERVICES} == before
        assert changed(run_copy(with_throwaway, "site.yml")) == 0
        status = run_copy(with_throwaway, "status.yml")
        assert changed(status) == 0
        assert re.search(r"^\s*throwaway\s+running\s+healthy\s+throwaway:", status.stdout, re.M), status.stdout[-2000:]

        # Switched off, it is removed (its switch is inception_<role>_enabled).
        switched_off = private_json(tmp_path / "off.json", {"inception_throwaway_enabled": False})
        assert changed(run_copy(with_throwaway, "site.yml", "-e", f"@{switched_off}")) > 0
        assert host.run(f"docker container inspect {name}").rc != 0

        # Back on, then the collection without it: a service gone from the list is removed.
        assert changed(run_copy(with_throwaway, "site.yml")) > 0
        assert settled(inspect, name)["State"]["Health"]["Status"] == "healthy"
        assert changed(run_playbook("site.yml", EPHEMERAL / "inventory")) > 0
        assert host.run(f"docker container inspect {name}").rc != 0
        assert {s: inspect(stack["prefix"] + s)["Id"] for s in SERVICES} == before
    finally:
        host.run(f"docker rm -f {name}")
