"""The collection as users get it: `ansible-galaxy collection build`, installed
into an empty collections path of a throwaway project of a user's own (its
ansible.cfg, inventory and vault), and its site playbook run by FQCN against
the running stack, which it finds exactly as it is (changed=0). This is also
the default scenario's idempotence check.

Default scenario only: it drives the playbook from this controller.
"""
import os
import re
import subprocess

import pytest
import yaml

from conftest import EPHEMERAL, ROOT, SCENARIO

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")
BIN = ROOT / ".venv" / "bin"


def user_project(project, env):
    """A throwaway project of a user's own, as the README shows it: its own ansible.cfg, an inventory with the
    group inception (this scenario's host), the scenario's settings in group_vars and its secrets (the ones the
    stack runs with) in a vault made with ansible-vault, under a password file of its own."""
    scenario = yaml.safe_load((ROOT / "molecule" / "default" / "molecule.yml").read_text())
    settings = dict(scenario["provisioner"]["inventory"]["group_vars"]["inception"])
    settings.pop("inception_test_secrets_dir")
    secrets = {}
    for name in [name for name in settings if name.endswith("_password")]:
        settings.pop(name)
        stored = (EPHEMERAL / "secrets" / "inception-molecule" / name).read_text()
        secrets[name] = stored.split(" salt=")[0].strip()
    (project / "group_vars" / "all").mkdir(parents=True)
    (project / "ansible.cfg").write_text("[defaults]\ngathering = explicit\ninterpreter_python = auto_silent\n"
                                         "[ssh_connection]\npipelining = true\n")
    (project / "hosts.yml").write_text(yaml.safe_dump({"inception": {"hosts": {"inception-molecule": {
        "ansible_connection": "local", "ansible_python_interpreter": str(BIN / "python")}}}}))
    (project / "group_vars" / "all" / "main.yml").write_text(yaml.safe_dump(settings))
    password = project / "vault-pass"
    password.write_text("a-password-of-this-project-only\n")
    password.chmod(0o600)
    plain = project / "secrets.yml"
    plain.write_text(yaml.safe_dump(secrets))
    # Its own password only: the stand-in of the tests' runs is not in `env`.
    subprocess.run([BIN / "ansible-vault", "encrypt", "--vault-password-file", password, "--encrypt-vault-id", "default",
                    "--output", project / "group_vars" / "all" / "vault.yml", plain],
                   cwd=project, env=env, check=True, capture_output=True)
    plain.unlink()
    return password


def test_the_built_collection_converges_the_stack_from_a_users_own_project(tmp_path):
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist"],
                   cwd=ROOT, check=True, capture_output=True)
    tarball, = (tmp_path / "dist").glob("fortytwo-inception-*.tar.gz")
    project = tmp_path / "project"
    project.mkdir()
    collections = project / "collections"
    # Away from this checkout: its ansible.cfg, .collections, inventory and vault are not seen.
    env = {**os.environ, "ANSIBLE_CONFIG": str(project / "ansible.cfg"), "ANSIBLE_COLLECTIONS_PATH": str(collections),
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_ROLES_PATH": str(tmp_path / "no-roles")}
    for name in ("ANSIBLE_LOG_PATH", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_FORCE_COLOR"):
        env.pop(name, None)
    password = user_project(project, env)
    # Its dependencies come bundled with the ansible package: nothing to fetch.
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--no-deps", "-p", collections, tarball],
                   cwd=project, env=env, check=True, capture_output=True)
    installed = collections / "ansible_collections" / "fortytwo" / "inception"
    assert (installed / "playbooks" / "site.yml").is_file()
    assert (installed / "roles" / "nginx_tls" / "templates" / "nginx.conf.j2").is_file()
    # The collection, not the developer's side (tests/test_artifact.py looks at the rest).
    assert not (installed / "inventory").exists() and not (installed / "Makefile").exists()

    # The only fortytwo.inception these runs see is the installed artifact.
    listing = subprocess.run([BIN / "ansible-galaxy", "collection", "list", "fortytwo.inception"],
                             cwd=project, env=env, check=False, capture_output=True, text=True).stdout
    assert str(collections) in listing and str(ROOT / ".collections") not in listing, listing
    result = subprocess.run(
        [BIN / "ansible-playbook", "-i", "hosts.yml", "--vault-password-file", password, "fortytwo.inception.site"],
        cwd=project, env=env, check=False, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    recap = re.search(r"changed=(\d+)\s+unreachable=0\s+failed=0", output)
    assert recap and recap.group(1) == "0", output[-3000:]
