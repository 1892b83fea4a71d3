"""A VM "reboot": the Docker engine restarts without Ansible running again.

Only in the fresh_vm scenario, where each host is a VM of its own; the
default scenario shares this machine's engine with whatever else runs here.
"""
import time

import pytest

from conftest import SCENARIO, SERVICES, php

pytestmark = pytest.mark.skipif(SCENARIO != "fresh_vm", reason="restarts the host's Docker engine")


def test_stack_comes_back_with_its_content_after_an_engine_restart(host, stack, inspect):
    post_id = php(host, stack, (
        "$id = wp_insert_post(['post_title' => 'Before the reboot', 'post_status' => 'publish'], true);"
        " wp_insert_comment(['comment_post_ID' => $id, 'comment_content' => 'Said before the reboot',"
        " 'comment_approved' => 1]); echo $id;")).strip()
    assert post_id.isdigit()
    before = {s: inspect(stack["prefix"] + s)["Id"] for s in SERVICES}

    host.check_output("pkill -TERM -x dockerd")
    deadline = time.monotonic() + 90
    while host.run("pgrep -x dockerd").rc == 0:
        assert time.monotonic() < deadline, "dockerd did not stop"
        time.sleep(1)
    started = time.monotonic()
    host.check_output("setsid nohup dockerd >> /var/log/dockerd.log 2>&1 < /dev/null &")

    deadline = started + 180
    while True:
        states = {}
        if host.run("docker info").rc == 0:
            for service in SERVICES:
                c = inspect(stack["prefix"] + service)
                states[service] = (c["State"]["Status"], (c["State"].get("Health") or {}).get("Status"))
        if states and all(state == ("running", "healthy") for state in states.values()):
            break
        assert time.monotonic() < deadline, f"not back within 180 s: {states}"
        time.sleep(2)
    print(f"stack healthy {time.monotonic() - started:.1f} s after dockerd started")

    # The same containers, restarted by their policy, not recreated.
    assert {s: inspect(stack["prefix"] + s)["Id"] for s in SERVICES} == before
    title = php(host, stack, f"echo get_post({post_id})->post_title;")
    assert title == "Before the reboot"
    comments = php(host, stack, f"echo get_comments(['post_id' => {post_id}, 'count' => true]);")
    assert comments == "1"
