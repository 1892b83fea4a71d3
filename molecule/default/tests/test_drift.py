"""The drift suite: a change made behind Ansible's back is repaired by the next run.

For each change, made with docker or on the host's files as an operator (or
an accident) would, the site playbook runs again and must exit 0, report
changed (> 0), undo the change, and leave the whole chain answering
(wp-login.php through nginx, 200). Afterwards a rerun changes nothing.

Default scenario only: it drives the playbook from this controller.
"""
import json
import re

import pytest

from conftest import EPHEMERAL, FIGURES, SCENARIO, curl
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
        state = self.container(service)["State"]
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


@pytest.fixture()
def repaired(host, stack):
    """Whatever a failing case left behind is put right for the tests after it."""
    yield
    if answering(host, stack) != "200":
        converge()


@pytest.mark.parametrize("case", CASES)
def test_a_change_behind_ansibles_back_is_repaired(host, stack, inspect, repaired, case):
    make, undone = CASES[case]
    drift = Drift(host, stack, inspect)
    assert answering(host, stack) == "200"
    assert undone(drift), "the stack was not in its described state before the change"
    make(drift)
    assert not undone(drift), "the change did not take"
    changed, _output = converge()
    assert changed > 0
    assert undone(drift)
    assert answering(host, stack) == "200"
    FIGURES[f"{SCENARIO}: drift '{case}': tasks changed by the repair"] = changed


def test_after_the_repairs_a_rerun_changes_nothing():
    changed, output = converge()
    assert changed == 0, output[-3000:]
