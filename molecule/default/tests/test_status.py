"""`make status` (tools/status.py, on the Docker SDK) and `make updates`
(playbooks/status.yml, which also asks the mirror): one readable table of the
running stack, and the URL."""
import re
import subprocess

import pytest

from conftest import EPHEMERAL, ROOT, SCENARIO, SERVICES
from playbook import run_playbook

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")


def check_table(stack, output, columns):
    lines = output.splitlines()
    header = next(line for line in lines if "SERVICE" in line and "HEALTH" in line)
    assert header.split() == columns
    rows = {line.split()[0]: line for line in lines if line.split() and line.split()[0] in SERVICES + tuple(stack["bonus"])}
    assert set(rows) == set(SERVICES) | set(stack["bonus"])
    for service, row in rows.items():
        assert " running " in row and " healthy " in row, row
        # What `docker stats` says the container uses, e.g. 39.99MiB.
        assert re.search(r" \d+(\.\d+)?[KMG]iB ", row), row
    assert f"127.0.0.1:{stack['port']}->443/tcp" in rows["nginx"]
    assert f"{stack['prefix']}mariadb" in rows["mariadb"] and f"{stack['prefix']}wordpress (ro)" in rows["nginx"]
    volumes = next(line for line in lines if "Volumes keep their data in" in line)
    assert f"{stack['data_dir']}/mariadb" in volumes and f"{stack['data_dir']}/wordpress" in volumes
    assert f"Site: {stack['url']}/" in output
    for value in stack["secrets"].values():
        assert value not in output


def test_make_updates_shows_every_service_and_how_far_behind_the_mirror_it_is(stack):
    result = run_playbook("status.yml", EPHEMERAL / "inventory")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "changed=0" in result.stdout
    check_table(stack, result.stdout, ["SERVICE", "STATE", "HEALTH", "IMAGE", "UPDATES", "UPTIME", "RESTARTS",
                                       "MEMORY", "PUBLISHED", "VOLUME"])
    for line in result.stdout.splitlines():
        if line.split() and line.split()[0] in SERVICES:
            assert re.search(r" (up to date|\d+ behind) ", line), line


def test_make_status_reads_the_engine_and_prints_a_plain_table(stack):
    # Exactly what `make status` runs (without INVENTORY), on this stack's network.
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "tools" / "status.py"),
                             "--network", stack["network"]], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    # A plain table: no Ansible banner, no task line.
    assert "TASK [" not in result.stdout and "PLAY" not in result.stdout
    check_table(stack, result.stdout, ["SERVICE", "STATE", "HEALTH", "IMAGE", "UPTIME", "RESTARTS", "MEMORY",
                                       "PUBLISHED", "VOLUME"])
    assert result.stdout.splitlines()[0].startswith("SERVICE")
