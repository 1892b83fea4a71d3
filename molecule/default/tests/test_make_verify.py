"""`make verify` against the VMs: the checks a defense would make, from the
controller, over SSH, read-only, with a report per host.

fresh_vm only (its hosts are VMs reached over SSH, as a user's would be).
"""
import os
import subprocess

import pytest

from conftest import EPHEMERAL, ROOT, SCENARIO, SERVICES

pytestmark = pytest.mark.skipif(SCENARIO != "fresh_vm", reason="checks the VMs of the fresh_vm scenario")


def snapshot(host, stack, inspect):
    containers = [(c["Id"], c["State"]["StartedAt"], c["RestartCount"], c["Image"])
                  for c in inspect(*(stack["prefix"] + s for s in SERVICES))]
    # (WordPress's page cache fills as the checks request pages: the site at work, not a change.)
    files = host.check_output(f"find {stack['project_dir']} {stack['data_dir']}/wordpress /etc/hosts -type f "
                              "-not -path '*/wp-content/cache/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum")
    return containers, files


def test_make_verify_passes_on_every_vm_says_so_per_rule_and_changes_nothing(host, stack, inspect):
    before = snapshot(host, stack, inspect)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    report = subprocess.run(["make", "--no-print-directory", "verify", f"INVENTORY={EPHEMERAL / 'inventory'}"],
                            cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=1200)
    print(report.stdout[-4000:])
    assert report.returncode == 0, report.stdout[-4000:] + report.stderr[-2000:]
    lines = report.stdout.splitlines()
    assert "Inception defense report" in report.stdout
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{host.backend.get_hostname()}: "))
    assert stack["url"] in lines[start]
    section = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        section.append(line)
    assert len(section) == 9 and all(line.startswith("  [  ok]") for line in section), section
    assert any("TLSv1.2 and TLSv1.3 only" in line for line in section)
    # Read-only: the same containers, never restarted, the same files.
    assert snapshot(host, stack, inspect) == before
