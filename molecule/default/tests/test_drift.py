"""The drift suite: a change made behind Ansible's back is repaired by the next run.

For each change, made with docker or on the host's files as an operator (or
an accident) would, the site playbook runs again and must exit 0, report
changed (> 0), undo the change, and leave the whole chain answering
(wp-login.php through nginx, 200). Afterwards a rerun changes nothing.

The changes come in batches, several at once as drift happens, each batch
followed by one run (six runs, not eighteen): never two changes on one
container, and a change whose repair restarts or recreates a container (a
secret, the TLS key, the engine's configuration) never beside a change of
that container's settings, so that no repair can hide behind another's.

Default scenario only: it drives the playbook from this controller.
"""
import json
import re

import pytest

from conftest import EPHEMERAL, FIGURES, SCENARIO, curl, settled
from playbook import run_playbook

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbook from this controller")


def converge():
    result = run_playbook("site.yml", EPHEMERAL / "inventory")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    recap = re.search(r"changed=(\d+)\s+unreachable=0\s+failed=0", output)
    assert recap, output[-3000:]
    return int(recap.group(1)), output


def answering(host, stack):
    return curl(host, stack, "/wp-login.php", "--output /dev/null --write-out '%{http_code}'").stdout


class Drift:
    """One change behind Ansible's back: how to make it, and what says it is undone."""

    def __init__(self, host, stack, inspect):
        self.host, self.stack, self.inspect = host, stack, inspect
        self.prefix = stack["prefix"]
        self.secrets = f"{stack['project_dir']}/secrets"

    def sh(self, command):
        self.host.check_output(command)

    def container(self, service):
        return self.inspect(self.prefix + service)

    def exists(self, service):
        return self.host.run(f"docker container inspect {self.prefix}{service}").rc == 0

    def healthy(self, service):
        if not self.exists(service):
            return False
        state = settled(self.inspect, self.prefix + service)["State"]
        return state["Status"] == "running" and (state.get("Health") or {}).get("Status") == "healthy"

    def networks(self, service):
        return set(self.container(service)["NetworkSettings"]["Networks"])

    def secret_is_right(self, name):
        f = self.host.file(f"{self.secrets}/{name}")
        return (f.exists and f.mode == 0o400 and f.uid == self.stack["userns"]["uid"]
                and f.content_string == self.stack["secrets"][name])

    def unmapped_owners(self, path):
        """How many entries under path have an owner or group below the
        engine's mapped range (none where it does not remap)."""
        uid, gid = self.stack["userns"]["uid"], self.stack["userns"]["gid"]
        if not uid:
            return 0
        return int(self.host.check_output(f"find {path} \\( -uid -{uid} -o -gid -{gid} \\) | wc -l"))

    def image_tag_is_there(self, service):
        image = self.container(service)["Config"]["Image"]
        found = self.host.run(f"docker image inspect --format '{{{{.Id}}}}' {image}")
        return found.rc == 0 and found.stdout.strip() == self.container(service)["Image"]


# (the change, as a shell command; the check that it was undone)
CASES = {
    "container stopped": (
        lambda d: d.sh(f"docker stop {d.prefix}wordpress"),
        lambda d: d.healthy("wordpress")),
    "container removed": (
        lambda d: d.sh(f"docker rm -f {d.prefix}nginx"),
        lambda d: d.healthy("nginx")),
    "container disconnected from the network": (
        lambda d: d.sh(f"docker network disconnect {d.stack['network']} {d.prefix}wordpress"),
        lambda d: d.networks("wordpress") == {d.stack["network"]}
        and "wordpress" in (d.container("wordpress")["NetworkSettings"]["Networks"][d.stack["network"]]["Aliases"] or [])),
    "container connected to another network": (
        lambda d: d.sh(f"docker network connect bridge {d.prefix}mariadb"),
        lambda d: d.networks("mariadb") == {d.stack["network"]}),
    "memory limit changed": (
        lambda d: d.sh(f"docker update --memory 300m --memory-swap 300m {d.prefix}nginx"),
        lambda d: d.container("nginx")["HostConfig"]["Memory"] == 64 * 1024 * 1024),
    "CPU shares changed": (
        lambda d: d.sh(f"docker update --cpu-shares 100 {d.prefix}mariadb"),
        lambda d: d.container("mariadb")["HostConfig"]["CpuShares"] == 1024),
    "pids limit changed": (
        lambda d: d.sh(f"docker update --pids-limit 99 {d.prefix}wordpress"),
        lambda d: d.container("wordpress")["HostConfig"]["PidsLimit"] == 128),
    "restart policy changed": (
        lambda d: d.sh(f"docker update --restart no {d.prefix}mariadb"),
        lambda d: d.container("mariadb")["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"),
    "secret file edited": (
        lambda d: d.sh(f"echo edited >> {d.secrets}/wordpress_user_password"),
        lambda d: d.secret_is_right("wordpress_user_password")),
    "secret file removed": (
        lambda d: d.sh(f"rm {d.secrets}/mariadb_root_password"),
        lambda d: d.secret_is_right("mariadb_root_password")),
    "secret file made 0644": (
        lambda d: d.sh(f"chmod 0644 {d.secrets}/wordpress_db_password"),
        lambda d: d.secret_is_right("wordpress_db_password")),
    "TLS key removed": (
        lambda d: d.sh(f"rm {d.stack['project_dir']}/tls/{d.stack['domain']}.key"),
        # The answering check that follows verifies nginx against the new certificate.
        lambda d: d.host.file(f"{d.stack['project_dir']}/tls/{d.stack['domain']}.key").exists
        and d.host.file(f"{d.stack['project_dir']}/tls/{d.stack['domain']}.key").mode == 0o600),
    # nginx's image is the same on every host of a fleet: what names this host
    # is in its own files, mounted; nginx restarted on an edited one.
    "nginx's host file edited, nginx restarted on it": (
        lambda d: d.sh(f"sed -i 's/^server_name .*/server_name example.invalid;/' {d.stack['project_dir']}/nginx/site.conf"
                       f" && docker restart {d.prefix}nginx"),
        lambda d: f"server_name {d.stack['domain']};" in d.host.file(
            f"{d.stack['project_dir']}/nginx/site.conf").content_string.splitlines()),
    "hosts line removed": (
        lambda d: d.sh(f"sed -i '/ {d.stack['domain']}$/d' /etc/hosts"),
        lambda d: f"127.0.0.1 {d.stack['domain']}" in d.host.file("/etc/hosts").content_string.splitlines()),
    "image tag removed while its container runs": (
        lambda d: d.sh(f"docker rmi --force {d.container('nginx')['Config']['Image']}"),
        lambda d: d.image_tag_is_there("nginx")),
    "data directory made 0777": (
        lambda d: d.sh(f"chmod 0777 {d.stack['data_dir']}/mariadb"),
        lambda d: d.host.file(f"{d.stack['data_dir']}/mariadb").mode == 0o750),
    # As a copy from a host whose engine does not remap IDs leaves them: the
    # container (root as an unprivileged host uid) could not write them.
    "site files owned by the unmapped www-data": (
        lambda d: d.sh(f"chown -R 33:33 {d.stack['data_dir']}/wordpress/wp-content"),
        lambda d: d.unmapped_owners(f"{d.stack['data_dir']}/wordpress") == 0),
    "daemon.json emptied": (
        lambda d: d.sh("echo '{}' > /etc/docker/daemon.json"),
        lambda d: json.loads(d.host.file("/etc/docker/daemon.json").content_string).get("userns-remap") == "default"),
}


# One change per container per batch; the engine's restart (daemon.json) alone.
BATCHES = (
    ("container stopped", "container removed", "container connected to another network",
     "hosts line removed", "data directory made 0777"),
    ("container disconnected from the network", "memory limit changed", "CPU shares changed"),
    ("pids limit changed", "restart policy changed", "image tag removed while its container runs"),
    ("secret file edited", "secret file removed", "TLS key removed", "site files owned by the unmapped www-data"),
    ("secret file made 0644", "nginx's host file edited, nginx restarted on it"),
    ("daemon.json emptied",),
)
BATCH_OF = {case: batch for batch in BATCHES for case in batch}
REPAIRS = {}


def test_every_change_is_in_one_batch():
    assert sorted(BATCH_OF) == sorted(CASES)
    assert sum(len(batch) for batch in BATCHES) == len(CASES)


def repair(drift, batch):
    """The batch's changes, then one run: how many tasks it changed (the
    first case of the batch does it, the others read it)."""
    if batch not in REPAIRS:
        REPAIRS[batch] = None
        assert answering(drift.host, drift.stack) == "200"
        for case in batch:
            assert CASES[case][1](drift), f"{case}: the stack was not in its described state before the change"
        for case in batch:
            CASES[case][0](drift)
        for case in batch:
            assert not CASES[case][1](drift), f"{case}: the change did not take"
        REPAIRS[batch], _output = converge()
        FIGURES[f"{SCENARIO}: drift {', '.join(repr(case) for case in batch)}: tasks changed by the repair"] = \
            REPAIRS[batch]
    assert REPAIRS[batch] is not None, "the batch's changes or its run failed: see its first case"
    return REPAIRS[batch]


@pytest.fixture()
def repaired(host, stack):
    """Whatever a failing case left behind is put right for the tests after it."""
    yield
    if answering(host, stack) != "200":
        converge()


@pytest.mark.parametrize("case", BATCH_OF)
def test_a_change_behind_ansibles_back_is_repaired(host, stack, inspect, repaired, case):
    drift = Drift(host, stack, inspect)
    assert repair(drift, BATCH_OF[case]) > 0
    assert CASES[case][1](drift)
    assert answering(host, stack) == "200"


def test_after_the_repairs_a_rerun_changes_nothing():
    changed, output = converge()
    assert changed == 0, output[-3000:]
