"""Shared facts about the stack under test, per host.

The same checks run in the molecule scenarios and, through `make verify`
(tools/verify.py), against the hosts of any inventory: what each host's stack
is meant to be is read by playbooks/verify.yml (read-only) with the
inventory's own values and the roles' defaults. Each scenario's hosts may
differ (the fresh_vm scenario runs two VMs with their own login and domain).
"""
import base64
import collections
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import pytest
import yaml

# Under molecule, its ephemeral directory; under `make verify`, none.
EPHEMERAL = pathlib.Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))
SCENARIO = os.environ.get("MOLECULE_SCENARIO_NAME", "verify")
ROOT = pathlib.Path(__file__).resolve().parents[3]
# The one ordered list of the services (playbooks/vars/services.yml), and the
# name each role gives its service (its container and image, without prefix).
ROLES = tuple(yaml.safe_load((ROOT / "playbooks" / "vars" / "services.yml").read_text())["inception_services"])
NAMES = {role: yaml.safe_load((ROOT / "roles" / role / "vars" / "main.yml").read_text())[f"{role}_service"]["name"]
         for role in ROLES}
# The subject's three, checked by name everywhere; the fleet's registry runs
# where a host is the fleet's builder (test_fleet.py); every other role is a bonus.
SERVICES = ("nginx", "wordpress", "mariadb")
FLEET = ("registry",)
BONUS = tuple(NAMES[role] for role in ROLES if NAMES[role] not in SERVICES + FLEET)
# tests/playbook.py runs the repository's playbooks for the tests that need to.
sys.path.insert(0, str(ROOT / "tests"))
RESULTS = ROOT / "results"
# Figures measured by the fault tests, printed at the end and kept as JSON.
FIGURES = {}


# `make verify` prints a report per host, by rule of the subject: each check
# says which rule it proves (@rule).
RULES = {}
OUTCOMES = collections.defaultdict(lambda: collections.defaultdict(list))


def rule(text):
    """Mark a check with the rule of the subject it proves."""
    def mark(function):
        RULES[function.__name__] = text
        return function
    return mark


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    name = getattr(item, "originalname", item.name)
    if name in RULES and (report.when == "call" or (report.when == "setup" and report.outcome != "passed")):
        host = item.funcargs.get("host") if hasattr(item, "funcargs") else None
        hostname = host.backend.get_hostname() if host else "?"
        OUTCOMES[hostname][RULES[name]].append((report.outcome, item.name))


def defense_report(terminalreporter):
    terminalreporter.section("Inception defense report")
    for hostname in sorted(OUTCOMES):
        values = VALUES.get(hostname, {})
        terminalreporter.write_line(f"{hostname}: {values.get('url', '')} (login {values.get('login', '?')})")
        for text in dict.fromkeys(RULES.values()):
            results = OUTCOMES[hostname].get(text)
            if not results:
                continue
            failed = [name for outcome, name in results if outcome == "failed"]
            passed = sum(1 for outcome, _name in results if outcome == "passed")
            mark = "FAIL" if failed else ("ok" if passed else "skip")
            terminalreporter.write_line(f"  [{mark:>4}] {text} ({passed}/{len(results)} checks)")
            for name in failed:
                terminalreporter.write_line(f"           failed: {name}")


def pytest_terminal_summary(terminalreporter):
    if OUTCOMES:
        defense_report(terminalreporter)
    if not FIGURES:
        return
    terminalreporter.section("measured figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"faults-{SCENARIO}.json"
    path.write_text(json.dumps(FIGURES, indent=2) + "\n")
    terminalreporter.write_line(f"written to {path}")


def overrides_with(host, role, **settings):
    """inception_service_overrides with these settings of one service, over
    the inventory's own: an extra variable replaces the whole dict."""
    overrides = host.ansible.get_variables().get("inception_service_overrides") or {}
    return {**overrides, role: {**overrides.get(role, {}), **settings}}


def curl(host, stack, path, *args):
    """Request a path of the site through the real TLS endpoint, verifying the
    certificate against the stack's own."""
    return host.run(
        f"curl --silent --show-error --cacert {stack['cert']} --max-time 20 "
        f"{' '.join(args)} {stack['url']}{path}")


def secret_file_owners(stack):
    """The host (uid, gid) of each secret file of the plan: container root's,
    or the user a service names in secret_owners (the registry's docker-registry)."""
    uid, gid = stack["userns"]["uid"], stack["userns"]["gid"]
    return {name: (uid + int(entry["secret_owners"].get(name, 0)), gid + int(entry["secret_owners"].get(name, 0)))
            for entry in stack["plan"].values() for name in entry["secrets"]}


def php(host, stack, code):
    """Run PHP with WordPress loaded in the wordpress container (code on stdin,
    so no shell quoting gets in the way)."""
    script = base64.b64encode(f"<?php require '/var/www/html/wp-load.php'; {code}".encode()).decode()
    return host.check_output(f"echo {script} | base64 -d | docker exec -i {stack['prefix']}wordpress php")


# Docker before 25 (Debian 12's 20.10) runs a container's first health check
# a whole interval (5 s) after its start: the playbook runs the check itself
# until it passes, and the engine says healthy at its own first check. How
# long a test that reads the engine's status after such a run gives it.
ENGINE_HEALTH_LAG = 15


def settled(inspect, name, within=ENGINE_HEALTH_LAG):
    """The container's inspect once the engine's health status of it is no
    longer `starting` while it runs (or `within` seconds have passed): what
    the engine says once its first check has run. The caller asserts on it."""
    deadline = time.monotonic() + within
    while True:
        found = inspect(name)
        state = found["State"]
        if (state["Status"] != "running" or (state.get("Health") or {}).get("Status") != "starting"
                or time.monotonic() > deadline):
            return found
        time.sleep(0.5)


def health(inspect, stack, service):
    state = inspect(stack["prefix"] + service)["State"]
    return state["Pid"], state["Status"], (state.get("Health") or {}).get("Status")


VALUES = {}


@pytest.fixture(scope="session")
def values(request):
    """What each host's stack is meant to be (playbooks/verify.yml, read-only),
    read once for every host of the inventory."""
    inventory = request.config.option.ansible_inventory
    with tempfile.TemporaryDirectory(prefix="inception-verify-") as directory:
        os.chmod(directory, 0o700)
        env = {**os.environ, "ANSIBLE_CONFIG": os.environ.get("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg")),
               "ANSIBLE_NOCOLOR": "1"}
        env.pop("ANSIBLE_LOG_PATH", None)
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", inventory, str(ROOT / "playbooks" / "verify.yml"),
             "-e", f"inception_verify_dir={directory}",
             # `make verify LOGIN=...`: the extra variables the stack was deployed with (tools/verify.py).
             *(arg for value in json.loads(os.environ.get("INCEPTION_VERIFY_EXTRA_VARS", "[]")) for arg in ("-e", value))],
            cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, "playbooks/verify.yml failed:\n" + result.stdout[-3000:] + result.stderr[-2000:]
        for path in pathlib.Path(directory).glob("*.json"):
            VALUES[path.stem] = json.loads(path.read_text())
    return VALUES


@pytest.fixture(scope="module")
def stack(host, values):
    v = values[host.backend.get_hostname()]
    return {
        **v,
        # Molecule keeps the output of its own runs (the secrets audit reads it).
        "log": EPHEMERAL / "ansible.log" if (EPHEMERAL / "ansible.log").exists() else None,
        # Bonus services switched on for this host (none unless the scenario says so).
        "bonus": [NAMES[role] for role in v["plan"] if NAMES.get(role) in BONUS],
        "vars": host.ansible.get_variables(),
    }


@pytest.fixture()
def inspect(host):
    def _inspect(*names, kind="container"):
        data = json.loads(host.check_output(f"docker {kind} inspect {' '.join(names)}"))
        return data[0] if len(names) == 1 else data
    return _inspect


@pytest.fixture()
def container(stack, inspect):
    """A service's container, as the engine says once its first health check ran."""
    def _container(service):
        return settled(inspect, stack["prefix"] + service)
    return _container
