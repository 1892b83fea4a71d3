"""User namespaces: the engine remaps container IDs (docker_host_userns_remap,
on by default), so container root is an unprivileged uid of the host; the
host files the containers use follow the mapping; an engine that runs
containers not the stack's is not switched; and, in the fresh_vm scenario
(each VM has an engine of its own), switching it off and on again on a live
stack loses nothing.
"""
import json
import re
import time

import pytest

from conftest import EPHEMERAL, FIGURES, SCENARIO, SERVICES, curl, php, secret_file_owners, settled
from playbook import run_playbook


def id_map(host, pid, kind="uid"):
    """The first line of /proc/<pid>/{uid,gid}_map, read on the host: (inside, outside, count)."""
    return tuple(int(n) for n in host.file(f"/proc/{pid}/{kind}_map").content_string.split()[:3])


def host_ids(host, pid):
    """The real uid and gid of a process, as the host sees them."""
    status = host.file(f"/proc/{pid}/status").content_string
    uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
    gid = int(re.search(r"^Gid:\s+(\d+)", status, re.M).group(1))
    return uid, gid


def names(stack):
    return [stack["prefix"] + name for name in SERVICES + tuple(stack["bonus"])]


def test_container_root_is_an_unprivileged_host_uid(host, stack, inspect):
    assert stack["userns_remap"], "the scenarios run with the default: remapping on"
    base_uid, base_gid = stack["userns"]["uid"], stack["userns"]["gid"]
    assert base_uid >= 65536 and base_gid >= 65536, stack["userns"]
    for name in names(stack):
        pid = inspect(name)["State"]["Pid"]
        # Container root (0) is the first uid of the engine's range on the host.
        assert id_map(host, pid, "uid") == (0, base_uid, 65536), name
        assert id_map(host, pid, "gid") == (0, base_gid, 65536), name
        # And no process of the container runs as a uid outside that range.
        # Read in one command: a process may end between `docker top` and the
        # read (php-fpm's workers live 3 s after a request); those are skipped.
        uids = {int(uid) for uid in host.check_output(
            f"for p in $(docker top {name} -eo pid | tail -n +2); do "
            f"awk '/^Uid:/ {{print $2}}' /proc/$p/status 2>/dev/null; done; true").split()}
        assert uids and all(base_uid <= uid < base_uid + 65536 for uid in uids), (name, uids)
        command = host.file(f"/proc/{pid}/comm").content_string.strip()
        FIGURES[f"{SCENARIO}: {host.backend.get_hostname()}: {name}: host uid of container root, "
                f"of PID 1 ({command})"] = f"{base_uid}, {host_ids(host, pid)[0]}"
    assert "name=userns" in host.check_output("docker info --format '{{json .SecurityOptions}}'")


def test_the_host_files_the_containers_use_belong_to_the_mapped_ids(host, stack):
    uid, gid = stack["userns"]["uid"], stack["userns"]["gid"]
    owners = {f"{stack['data_dir']}/mariadb": (uid + 999, gid + 999),
              f"{stack['data_dir']}/wordpress": (uid + 33, gid + 33),
              f"{stack['project_dir']}/tls": (uid, gid),
              f"{stack['project_dir']}/tls/{stack['domain']}.key": (uid, gid)}
    # The secret files: container root's, or the user a service names (the registry's docker-registry).
    owners.update({f"{stack['secrets_dir']}/{name}": ids for name, ids in secret_file_owners(stack).items()})
    for path, expected in owners.items():
        f = host.file(path)
        assert (f.uid, f.gid) == expected, path
    # Nothing in the volumes' data is owned by an ID the containers cannot map.
    for volume in ("mariadb", "wordpress"):
        stray = host.check_output(f"find {stack['data_dir']}/{volume} \\( -uid -{uid} -o -gid -{gid} \\) | head -5")
        assert stray == "", stray
    # The directory of the secret files stays host root's alone.
    secrets = host.file(stack["secrets_dir"])
    assert (secrets.uid, secrets.mode) == (0, 0o700)


@pytest.fixture()
def foreign(host, stack):
    """A container that is not the stack's on the stack's engine."""
    name = f"{stack['prefix']}userns-probe"
    host.check_output(f"docker run --detach --name {name} --network none debian:bookworm sleep 300")
    yield name
    host.run(f"docker rm --force {name}")


def test_an_engine_running_other_containers_is_not_switched(host, stack, inspect, foreign):
    before = {name: inspect(name)["State"]["StartedAt"] for name in names(stack)}
    daemon_json = host.file("/etc/docker/daemon.json").content_string
    result = run_playbook("site.yml", EPHEMERAL / "inventory", "--limit", host.backend.get_hostname(),
                          "-e", "docker_host_userns_remap=false")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "docker_host_userns_remap is false" in output and foreign in output, output[-3000:]
    assert "Nothing was changed" in output and "docker_host_userns_remap: true" in output
    assert re.search(r"changed=0\s", output), output[-2000:]
    # The engine was not restarted, its setting and the stack are untouched.
    assert host.file("/etc/docker/daemon.json").content_string == daemon_json
    assert "name=userns" in host.check_output("docker info --format '{{json .SecurityOptions}}'")
    assert {name: inspect(name)["State"]["StartedAt"] for name in names(stack)} == before
    assert inspect(foreign)["State"]["Running"]


def switch(host, remap):
    started = time.monotonic()
    result = run_playbook("site.yml", EPHEMERAL / "inventory", "--limit", host.backend.get_hostname(),
                          "-e", f"docker_host_userns_remap={str(remap).lower()}", timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return time.monotonic() - started, output


def content(host, stack):
    """What must survive: the posts, comments and users, and the upload."""
    return php(host, stack, (
        "echo json_encode(['posts' => $GLOBALS['wpdb']->get_col(\"SELECT CONCAT(ID, ':', post_title) FROM"
        " {$GLOBALS['wpdb']->posts} WHERE post_type = 'post' ORDER BY ID\"),"
        " 'comments' => $GLOBALS['wpdb']->get_col(\"SELECT comment_content FROM {$GLOBALS['wpdb']->comments}"
        " ORDER BY comment_ID\"), 'users' => $GLOBALS['wpdb']->get_col(\"SELECT user_login FROM"
        " {$GLOBALS['wpdb']->users} ORDER BY ID\")]);"))


def everything_healthy(host, stack, inspect):
    states = {n: (state["Status"], (state.get("Health") or {}).get("Status"))
              for n in names(stack) for state in [settled(inspect, n)["State"]]}
    assert all(state == ("running", "healthy") for state in states.values()), states


@pytest.mark.skipif(SCENARIO != "fresh_vm", reason="restarts the host's engine (in fresh_vm, the VM's own)")
def test_switching_remapping_off_and_on_again_on_a_live_stack_loses_nothing(host, stack, inspect):
    if host.backend.get_hostname() != "inception-vm1":
        pytest.skip("one VM switches; the other keeps its stack for the tests after this one")
    post = php(host, stack, (
        "$id = wp_insert_post(['post_title' => 'Before the switch', 'post_status' => 'publish'], true);"
        " wp_insert_comment(['comment_post_ID' => $id, 'comment_content' => 'Said before the switch',"
        " 'comment_approved' => 1]); echo $id;")).strip()
    assert post.isdigit()
    upload = f"{stack['data_dir']}/wordpress/wp-content/uploads/userns-switch.txt"
    host.check_output(f"echo 'kept across the switch' > {upload} && chown {stack['userns']['uid'] + 33}:"
                      f"{stack['userns']['gid'] + 33} {upload}")
    before = content(host, stack)
    assert "Before the switch" in before
    images = {n: inspect(n)["Image"] for n in names(stack)}

    seconds_off = switch(host, False)[0]
    pid = inspect(stack["prefix"] + "mariadb")["State"]["Pid"]
    assert id_map(host, pid) == (0, 0, 4294967295), "the engine still remaps"
    assert host.file(f"{stack['data_dir']}/mariadb").uid == 999
    assert host.file(upload).uid == 33
    everything_healthy(host, stack, inspect)
    assert content(host, stack) == before
    assert curl(host, stack, "/wp-content/uploads/userns-switch.txt").stdout == "kept across the switch\n"
    # The images were carried over, not rebuilt.
    assert {n: inspect(n)["Image"] for n in names(stack)} == images

    seconds_on = switch(host, True)[0]
    pid = inspect(stack["prefix"] + "mariadb")["State"]["Pid"]
    assert id_map(host, pid) == (0, stack["userns"]["uid"], 65536)
    assert host.file(f"{stack['data_dir']}/mariadb").uid == stack["userns"]["uid"] + 999
    everything_healthy(host, stack, inspect)
    assert content(host, stack) == before
    assert curl(host, stack, "/wp-content/uploads/userns-switch.txt").stdout == "kept across the switch\n"
    assert {n: inspect(n)["Image"] for n in names(stack)} == images
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["userns-remap"] == "default"

    # And once switched, a run changes nothing.
    result = run_playbook("site.yml", EPHEMERAL / "inventory", "--limit", host.backend.get_hostname())
    assert re.search(r"changed=0\s+unreachable=0\s+failed=0", result.stdout), result.stdout[-3000:]
    FIGURES[f"{SCENARIO}: {host.backend.get_hostname()}: remapping switched off, then on, on a live stack"] = (
        f"{seconds_off:.0f} s, {seconds_on:.0f} s (site.yml runs), content and images kept")
