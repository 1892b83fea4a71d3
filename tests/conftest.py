"""Helpers for the fast tests: render role templates the way Ansible does."""
import json
import os
import pathlib
import stat
import subprocess
import sys

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar, trust_as_template

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The checkout is the collection fortytwo.inception (ansible.cfg looks for it
# under .collections/, as `make` links it): its plugins import each other by
# that name, here too.
# tools/checkout-setup.sh makes that link where a copy lost it, and the
# random stand-in vault password the tests run with (STAND_IN below).
subprocess.run([str(ROOT / "tools" / "checkout-setup.sh")], check=True)
sys.path.insert(0, str(ROOT / ".collections"))

# Lookups and filters (ansible.builtin.*) resolve as in a playbook run.
init_plugin_loader()
ROLES = ROOT / "roles"
# The one ordered list of the services (playbooks/vars/services.yml).
SERVICE_ROLES = tuple(yaml.safe_load((ROOT / "playbooks" / "vars" / "services.yml").read_text())["inception_services"])

# The random stand-in vault password file (tools/checkout-setup.sh).
STAND_IN = ROOT / ".cache" / "vault-stand-in"

SAMPLE = {
    "inception_login": "jdoe",
    "mariadb_root_password": "root-Secret-0001",
    "wordpress_db_password": "db-Secret-0002",
    "wordpress_admin_password": "admin-Secret-0003",
    "wordpress_user_password": "user-Secret-0004",
    "redis_password": "redis-Secret-0005",
    "ftp_password": "ftp-Secret-0006",
    "registry_password": "registry-Secret-0007",
    "registry_htpasswd": "fleet:$2b$10$stand.in.for.a.bcrypt.line",
    # A host of no fleet (no inventory group inception_fleet_builder).
    "inventory_hostname": "localhost",
    "groups": {"all": ["localhost"], "inception": ["localhost"]},
    "ansible_managed": "Ansible managed",
}


def _trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    return value


def role_variables(role, **overrides):
    """What a role's tasks see: the shared values (the common role, which
    every role depends on), the service role's, then the role's own defaults
    and vars."""
    variables = {}
    for name in dict.fromkeys(("common", "service", role)):
        for part in ("defaults", "vars"):
            path = ROLES / name / part / "main.yml"
            if path.exists():
                variables.update(yaml.safe_load(path.read_text()) or {})
    variables.update(SAMPLE)
    variables.update(overrides)
    return _trusted(variables)


def render(role, template, **overrides):
    """Render roles/<role>/templates/<template> with the role's defaults."""
    templar = Templar(loader=DataLoader(), variables=role_variables(role, **overrides))
    source = (ROLES / role / "templates" / template).read_text()
    return templar.template(trust_as_template(source))


def resolve(role, expression, **overrides):
    templar = Templar(loader=DataLoader(), variables=role_variables(role, **overrides))
    return templar.template(trust_as_template(expression))


@pytest.fixture
def rendered():
    return render


def run_module(module, args, *extra):
    """One call of a module of ours, run by Ansible on this machine (ad hoc,
    local, the host's Python as on a Debian host); its JSON result."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"), "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
           "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"}
    for name in ("ANSIBLE_LOG_PATH", "ANSIBLE_FORCE_COLOR"):
        env.pop(name, None)
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible"), "localhost", "-c", "local", "-i", "localhost,",
                           "-e", "ansible_python_interpreter=/usr/bin/python3", *extra,
                           "-m", module, "-a", json.dumps(args)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    # After the line profile_tasks (ansible.cfg) prints first.
    return json.JSONDecoder().raw_decode(done.stdout[done.stdout.index("{"):])[0]["plays"][0]["tasks"][0]["hosts"]["localhost"]


def owner_mode(path):
    """(uid, gid, permission bits) of `path` itself (a link is not followed)."""
    info = os.lstat(path)
    return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)
