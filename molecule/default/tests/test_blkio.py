"""Block I/O limits: each container is throttled on the disk that holds the
stack's data (docker_host finds it), and a write loop inside the database
container runs at its limit (this scenario sets it to 20 MiB/s, slower than
the disk), where the same loop without a limit runs at the disk's speed.

Default scenario only: the fresh_vm VMs keep their data on an overlay, not a
block device, and get no limits (their summary says so)."""
import re

import pytest

from conftest import FIGURES, SCENARIO, SERVICES

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="the fresh_vm VMs keep their data on no block device")
MiB = 1024 ** 2


def device_of(host, path):
    source = host.check_output(f"findmnt --noheadings --nofsroot --output SOURCE --target {path}")
    disk = host.check_output(f"lsblk --noheadings --nodeps --output PKNAME {source}")
    return f"/dev/{disk}" if disk else source


def write_rate(host, docker, directory, megabytes):
    """MiB/s of a direct-I/O write loop (dd, 1 MiB blocks) run by `docker`
    (an exec or a run), as dd reports it."""
    out = host.check_output(
        f"{docker} sh -c 'dd if=/dev/zero of={directory}/.blkio-probe bs=1M count={megabytes}"
        f" oflag=direct 2>&1; rm -f {directory}/.blkio-probe'")
    return megabytes / float(re.search(r"copied, ([\d.]+) s", out).group(1))


def test_every_container_is_throttled_on_the_disk_that_holds_the_data(host, stack, container):
    device = device_of(host, stack["data_dir"])
    for service in SERVICES:
        config = container(service)["HostConfig"]
        for key in ("BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"):
            rules = config[key] or []
            assert [rule["Path"] for rule in rules] == [device], (service, key, rules)
    write = container("mariadb")["HostConfig"]["BlkioDeviceWriteBps"][0]["Rate"]
    assert write == 20 * MiB


def test_a_write_loop_in_the_database_runs_at_its_limit(host, stack, container):
    limit = container("mariadb")["HostConfig"]["BlkioDeviceWriteBps"][0]["Rate"] / MiB
    throttled = write_rate(host, f"docker exec {stack['prefix']}mariadb", "/var/lib/mysql", 60)
    # The same loop on the same disk, in a throwaway container without limits.
    free = write_rate(host, f"docker run --rm --network none -v {stack['data_dir']}/mariadb:/data debian:bookworm",
                      "/data", 200)
    figure = (f"{throttled:.1f} MiB/s against a {limit:.0f} MiB/s limit; the same loop without a limit: "
              f"{free:.0f} MiB/s")
    print("database write loop:", figure)
    FIGURES[f"{SCENARIO}: direct-I/O write loop in the database container"] = figure
    assert free > 2 * limit, f"the disk is too slow to show the limit: {figure}"
    assert 0.6 * limit <= throttled <= 1.1 * limit, figure
