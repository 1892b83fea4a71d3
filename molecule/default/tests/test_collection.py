"""The collection as users get it: `ansible-galaxy collection build`, installed
into an empty collections path, and its site playbook run by FQCN against the
running stack, which it finds exactly as it is (changed=0). This is also the
default scenario's idempotence check.

Default scenario only: it drives the playbook from this controller.
"""
import os
import re
import subprocess

import pytest

from conftest import EPHEMERAL, ROOT, SCENARIO

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")
BIN = ROOT / ".venv" / "bin"


def test_the_built_collection_converges_the_stack_by_fqcn(tmp_path):
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist"],
                   cwd=ROOT, check=True, capture_output=True)
    tarball, = (tmp_path / "dist").glob("fortytwo-inception-*.tar.gz")
    collections = tmp_path / "collections"
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\ngathering = explicit\ninterpreter_python = auto_silent\n"
                      "[ssh_connection]\npipelining = true\n")
    # Away from this checkout: its ansible.cfg and .collections are not seen.
    env = {**os.environ, "ANSIBLE_CONFIG": str(config), "ANSIBLE_COLLECTIONS_PATH": str(collections),
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_ROLES_PATH": str(tmp_path / "no-roles")}
    for name in ("ANSIBLE_LOG_PATH", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_FORCE_COLOR"):
        env.pop(name, None)
    # Its dependencies come bundled with the ansible package: nothing to fetch.
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--no-deps", "-p", collections, tarball],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    installed = collections / "ansible_collections" / "fortytwo" / "inception"
    assert (installed / "playbooks" / "site.yml").is_file()
    assert (installed / "roles" / "nginx_tls" / "templates" / "nginx.conf.j2").is_file()
    assert not (installed / "inventory" / "group_vars" / "all" / "vault.yml").exists()

    # The only fortytwo.inception these runs see is the installed artifact.
    listing = subprocess.run([BIN / "ansible-galaxy", "collection", "list", "fortytwo.inception"],
                             cwd=tmp_path, env=env, check=False, capture_output=True, text=True).stdout
    assert str(collections) in listing and str(ROOT / ".collections") not in listing, listing
    result = subprocess.run(
        [BIN / "ansible-playbook", "-i", EPHEMERAL / "inventory", "fortytwo.inception.site"],
        cwd=tmp_path, env=env, check=False, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    recap = re.search(r"changed=(\d+)\s+unreachable=0\s+failed=0", output)
    assert recap and recap.group(1) == "0", output[-3000:]
