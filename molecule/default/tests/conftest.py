"""Shared facts about the stack under test, read from molecule's inventory.

Each scenario's hosts may differ (the fresh_vm scenario runs two VMs with
their own login and domain), so the facts are per host.
"""
import base64
import json
import os
import pathlib
import sys

import pytest
import yaml

EPHEMERAL = pathlib.Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
SCENARIO = os.environ.get("MOLECULE_SCENARIO_NAME", "default")
ROOT = pathlib.Path(__file__).resolve().parents[3]
# The one ordered list of the services (playbooks/vars/services.yml), and the
# name each role gives its service (its container and image, without prefix).
ROLES = tuple(yaml.safe_load((ROOT / "playbooks" / "vars" / "services.yml").read_text())["inception_services"])
NAMES = {role: yaml.safe_load((ROOT / "roles" / role / "vars" / "main.yml").read_text())[f"{role}_service"]["name"]
         for role in ROLES}
# The subject's three, checked by name everywhere; every other role is a bonus.
SERVICES = ("nginx", "wordpress", "mariadb")
BONUS = tuple(NAMES[role] for role in ROLES if NAMES[role] not in SERVICES)
# tests/playbook.py runs the repository's playbooks for the tests that need to.
sys.path.insert(0, str(ROOT / "tests"))
RESULTS = ROOT / "results"
# Figures measured by the fault tests, printed at the end and kept as JSON.
FIGURES = {}


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("measured figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"faults-{SCENARIO}.json"
    path.write_text(json.dumps(FIGURES, indent=2) + "\n")
    terminalreporter.write_line(f"written to {path}")


def curl(host, stack, path, *args):
    """Request a path of the site through the real TLS endpoint, verifying the
    certificate against the stack's own."""
    return host.run(
        f"curl --silent --show-error --cacert {stack['cert']} --max-time 20 "
        f"{' '.join(args)} {stack['url']}{path}")


def php(host, stack, code):
    """Run PHP with WordPress loaded in the wordpress container (code on stdin,
    so no shell quoting gets in the way)."""
    script = base64.b64encode(f"<?php require '/var/www/html/wp-load.php'; {code}".encode()).decode()
    return host.check_output(f"echo {script} | base64 -d | docker exec -i {stack['prefix']}wordpress php")


def health(inspect, stack, service):
    state = inspect(stack["prefix"] + service)["State"]
    return state["Pid"], state["Status"], (state.get("Health") or {}).get("Status")


@pytest.fixture(scope="module")
def stack(host):
    v = host.ansible.get_variables()
    secrets_dir = EPHEMERAL / "secrets" / v["inventory_hostname"]
    prefix = v["inception_name_prefix"]
    port = int(v["inception_https_port"])
    project_dir = v["inception_project_dir"]
    return {
        "prefix": prefix,
        "domain": v["inception_domain"],
        "port": port,
        "bind_address": v["nginx_tls_bind_address"],
        "url": f"https://{v['inception_domain']}:{port}",
        "data_dir": v["inception_data_dir"],
        "project_dir": project_dir,
        "network": f"{prefix}inception",
        "title": v["wordpress_title"],
        "admin_user": v["wordpress_admin_user"],
        "user": v["wordpress_user"],
        "secrets": {p.name: p.read_text().strip() for p in secrets_dir.iterdir()},
        "log": EPHEMERAL / "ansible.log",
        "cert": f"{project_dir}/tls/{v['inception_domain']}.crt",
        # Bonus services switched on for this host (none unless the scenario says so).
        "bonus": [name for name in BONUS if str(v.get(f"inception_{name}_enabled",
                                                      v.get("inception_bonus", False))).lower() in ("true", "yes", "1")],
        "vars": v,
    }


@pytest.fixture()
def inspect(host):
    def _inspect(*names, kind="container"):
        data = json.loads(host.check_output(f"docker {kind} inspect {' '.join(names)}"))
        return data[0] if len(names) == 1 else data
    return _inspect


@pytest.fixture()
def container(stack, inspect):
    def _container(service):
        return inspect(stack["prefix"] + service)
    return _container
