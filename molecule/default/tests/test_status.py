"""`make status`: one readable table of the running stack, and the URL."""
import re

import pytest

from conftest import EPHEMERAL, SCENARIO, SERVICES
from playbook import run_playbook

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")


def test_status_shows_every_service_of_the_stack(stack):
    result = run_playbook("status.yml", EPHEMERAL / "inventory")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "changed=0" in result.stdout
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "SERVICE" in line and "HEALTH" in line)
    for column in ("STATE", "IMAGE", "UPTIME", "RESTARTS", "MEMORY", "PUBLISHED", "VOLUME"):
        assert column in header
    rows = {line.split()[0]: line for line in lines if line.split() and line.split()[0] in SERVICES + tuple(stack["bonus"])}
    assert set(rows) == set(SERVICES) | set(stack["bonus"])
    for service, row in rows.items():
        assert " running " in row and " healthy " in row, row
        # What `docker stats` says the container uses, e.g. 39.99MiB.
        assert re.search(r" \d+(\.\d+)?[KMG]iB ", row), row
    assert f"127.0.0.1:{stack['port']}->443/tcp" in rows["nginx"]
    assert f"{stack['prefix']}mariadb" in rows["mariadb"] and f"{stack['prefix']}wordpress (ro)" in rows["nginx"]
    assert f"Site: {stack['url']}/" in result.stdout
    for value in stack["secrets"].values():
        assert value not in result.stdout
