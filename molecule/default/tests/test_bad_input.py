"""Bad input against the running stack: refused, named, and nothing changes."""
import hashlib
import json
import os
import pathlib
import socket
import subprocess

import pytest

from conftest import EPHEMERAL, SCENARIO, SERVICES

ROOT = pathlib.Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")


def snapshot(host, stack):
    names = " ".join(stack["prefix"] + s for s in SERVICES)
    containers = json.loads(host.check_output(f"docker inspect {names}"))
    files = host.check_output(
        f"find {stack['project_dir']} {stack['data_dir']}/wordpress -type f -print0 | sort -z "
        f"| xargs -0 sha256sum")
    return {
        "containers": [(c["Name"], c["Id"], c["State"]["StartedAt"], c["RestartCount"], c["Image"])
                       for c in containers],
        "images": sorted(host.check_output("docker images -q --no-trunc").split()),
        "volumes": sorted(host.check_output("docker volume ls -q").split()),
        "networks": sorted(host.check_output("docker network ls -q").split()),
        "files": hashlib.sha256(files.encode()).hexdigest(),
        "hosts": host.file("/etc/hosts").content_string,
    }


def run_site(tmp_path, extra):
    (tmp_path / "bad.json").write_text(json.dumps(extra))
    env = {**os.environ, "ANSIBLE_VAULT_PASSWORD_FILE": str(ROOT / "tests" / "no-vault-password.sh"),
           "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"), "ANSIBLE_NOCOLOR": "1"}
    env.pop("ANSIBLE_LOG_PATH", None)
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(EPHEMERAL / "inventory"),
         str(ROOT / "playbooks" / "site.yml"), "-e", f"@{tmp_path / 'bad.json'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture()
def held_port():
    """A port held by something that is not the stack."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.parametrize("extra,variable", [
    ({"wordpress_admin_user": "TheAdmin"}, "wordpress_admin_user"),
    ({"wordpress_admin_password": "too-short"}, "wordpress_admin_password"),
    ({"wordpress_user_email": "nobody"}, "wordpress_user_email"),
    ({"nginx_tls_protocols": ["TLSv1.1", "TLSv1.2"]}, "nginx_tls_protocols"),
    ({"inception_domain": "not_a_domain"}, "inception_domain"),
    ({"inception_login": "Not Valid"}, "inception_login"),
    ({"inception_https_port": "HELD"}, "inception_https_port"),
    ({"inception_data_dir": "FILE"}, "inception_data_dir"),
])
def test_bad_input_changes_nothing(host, stack, tmp_path, held_port, extra, variable):
    if extra.get("inception_https_port") == "HELD":
        extra = {"inception_https_port": held_port}
    if extra.get("inception_data_dir") == "FILE":
        (tmp_path / "data").write_text("a file, not a directory\n")
        extra = {"inception_data_dir": str(tmp_path / "data")}
    before = snapshot(host, stack)
    result = run_site(tmp_path, extra)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert variable in output
    assert "Deploy the Inception stack" not in output
    assert snapshot(host, stack) == before
