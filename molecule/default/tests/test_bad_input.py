"""Bad input against the running stack: refused, named, and nothing changes."""
import hashlib
import json
import pathlib
import shutil
import socket
import subprocess

import pytest

from conftest import EPHEMERAL, SCENARIO, SERVICES
from playbook import private_json, run_playbook

ROOT = pathlib.Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")


def snapshot(host, stack):
    names = " ".join(stack["prefix"] + s for s in SERVICES + tuple(stack["bonus"]))
    containers = json.loads(host.check_output(f"docker inspect {names}"))
    files = host.check_output(
        f"find {stack['project_dir']} {stack['data_dir']}/wordpress -type f -print0 | sort -z "
        f"| xargs -0 sha256sum")
    return {
        "containers": [(c["Name"], c["Id"], c["State"]["StartedAt"], c["RestartCount"], c["Image"])
                       for c in containers],
        # The stack's own volumes and network (the containers' image IDs are
        # above): whatever else runs on this engine may come and go meanwhile.
        "volumes": sorted(host.check_output(
            f"docker volume ls -q --filter name=^{stack['prefix']}").split()),
        "networks": sorted(host.check_output(
            f"docker network ls -q --filter name=^{stack['network']}$").split()),
        "files": hashlib.sha256(files.encode()).hexdigest(),
        "hosts": [line for line in host.file("/etc/hosts").content_string.splitlines()
                  if stack["domain"] in line],
    }


def run_site(tmp_path, extra, inventory=EPHEMERAL / "inventory"):
    return run_playbook("site.yml", inventory, "-e", f"@{private_json(tmp_path / 'bad.json', extra)}")


@pytest.fixture()
def held_port():
    """A port held by something that is not the stack."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield listener.getsockname()[1]
    listener.close()


# Every refusal is covered by tests/test_preflight.py without a stack; these
# are the ones that need the running stack (its port, its secrets, its users)
# or would do the most harm if they got through.
@pytest.mark.parametrize("extra,variable", [
    ({"wordpress_admin_user": "TheAdmin"}, "wordpress_admin_user"),
    ({"nginx_tls_protocols": ["TLSv1.1", "TLSv1.2"]}, "nginx_tls_protocols"),
    ({"inception_https_port": "HELD"}, "inception_https_port"),
    ({"inception_data_dir": "FILE"}, "inception_data_dir"),
    ({"inception_data_dir": "VOLUME_FILE"}, "inception_data_dir"),
    ({"wordpress_user_password": "ADMIN_PASSWORD"}, "wordpress_user_password"),
    ({"wordpress_user": "ADMIN_USER"}, "wordpress_user"),
    ({"ftp_passive_address": "moltest.42.fr"}, "ftp_passive_address"),
])
def test_bad_input_changes_nothing(host, stack, tmp_path, held_port, extra, variable):
    named = variable
    if extra.get("inception_https_port") == "HELD":
        extra = {"inception_https_port": held_port}
    if extra.get("inception_data_dir") == "FILE":
        (tmp_path / "data").write_text("a file, not a directory\n")
        extra = {"inception_data_dir": str(tmp_path / "data")}
    if extra.get("inception_data_dir") == "VOLUME_FILE":
        (tmp_path / "data" / "mariadb").mkdir(parents=True)
        (tmp_path / "data" / "wordpress").write_text("a file where the site files' volume goes\n")
        extra = {"inception_data_dir": str(tmp_path / "data")}
        named = str(tmp_path / "data" / "wordpress")
    placeholders = {"ADMIN_PASSWORD": stack["secrets"]["wordpress_admin_password"],
                    "ADMIN_EMAIL": host.ansible.get_variables()["wordpress_admin_email"],
                    "ADMIN_USER": stack["admin_user"]}
    extra = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in extra.items()}
    before = snapshot(host, stack)
    result = run_site(tmp_path, extra)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert variable in output and named in output
    assert "Deploy the Inception stack" not in output
    assert snapshot(host, stack) == before


@pytest.mark.parametrize("case", ["clear text", "wrong password"])
def test_a_bad_vault_changes_nothing(host, stack, tmp_path, case):
    inventory = tmp_path / "inventory"
    shutil.copytree(EPHEMERAL / "inventory", inventory)
    (inventory / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
    plain = "vault_wordpress_admin_password: a-clear-text-secret-1\n"
    vault = inventory / "group_vars" / "all" / "vault.yml"
    if case == "clear text":
        vault.write_text(plain)
    else:
        (tmp_path / "other").write_text("some-other-password\n")
        vault.write_text(subprocess.run(
            [str(ROOT / ".venv" / "bin" / "ansible-vault"), "encrypt", "--vault-password-file",
             str(tmp_path / "other"), "--encrypt-vault-id", "default", "--output", "-", "-"],
            input=plain, capture_output=True, text=True, check=True).stdout)
    before = snapshot(host, stack)
    result = run_site(tmp_path, {}, inventory)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("vault.yml is not encrypted" if case == "clear text" else "Decryption failed") in output
    assert "a-clear-text-secret-1" not in output
    assert "Deploy the Inception stack" not in output
    assert snapshot(host, stack) == before
