"""A changed input reaches the host, and only where it belongs.

Every module compares on every run (test_drift.py changes the host behind
Ansible's back); these tests change one input at a time instead and check it
reaches the container it belongs to, and no other.
"""
import time

import pytest

from conftest import EPHEMERAL, SCENARIO, curl, overrides_with
from playbook import private_json, run_playbook

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="needs this host as the controller")


def converge(tmp_path, **extra):
    args = ["-e", f"@{private_json(tmp_path / 'extra.json', extra)}"] if extra else []
    result = run_playbook("site.yml", EPHEMERAL / "inventory", *args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return output


def recap_changed(output):
    recap = output[output.index("PLAY RECAP"):]
    return int(recap.split("changed=")[1].split()[0])


def test_a_changed_container_setting_reaches_that_container_only(host, stack, container, tmp_path):
    before = {s: container(s)["Id"] for s in ("mariadb", "wordpress", "nginx")}
    pids = container("nginx")["HostConfig"]["PidsLimit"]
    try:
        output = converge(tmp_path, inception_service_overrides=overrides_with(host, "nginx_tls", pids_limit=pids + 7))
        assert recap_changed(output) >= 1
        assert container("nginx")["HostConfig"]["PidsLimit"] == pids + 7
        assert container("nginx")["Id"] != before["nginx"]
        # The others were left alone: same containers, not recreated.
        assert {s: container(s)["Id"] for s in ("mariadb", "wordpress")} == \
            {s: before[s] for s in ("mariadb", "wordpress")}
    finally:
        converge(tmp_path)
    assert container("nginx")["HostConfig"]["PidsLimit"] == pids
    assert container("nginx")["State"]["Health"]["Status"] == "healthy"


def log_in(host, stack, password):
    result = curl(host, stack, "/wp-login.php", "--cookie wordpress_test_cookie=WP%20Cookie%20check",
                  f"--data-urlencode log={stack['user']}", f"--data-urlencode pwd={password}",
                  "--output /dev/null --write-out '%{http_code}'")
    return result.stdout


def test_a_rotated_secret_is_rewritten_and_reread(host, stack, container, tmp_path):
    secret = f"{stack['project_dir']}/secrets/wordpress_user_password"
    old = stack["secrets"]["wordpress_user_password"]
    new = f"rotated-{time.time_ns()}-Secret"
    started = container("wordpress")["State"]["StartedAt"]
    try:
        output = converge(tmp_path, wordpress_user_password=new)
        assert new not in output and old not in output
        assert host.file(secret).content_string == new
        assert host.file(secret).mode == 0o400
        # The container restarted to reread it, and WordPress took it.
        assert container("wordpress")["State"]["StartedAt"] != started
        assert log_in(host, stack, new) == "302"
        assert log_in(host, stack, old) == "200"
    finally:
        converge(tmp_path)
    assert host.file(secret).content_string == old
    assert log_in(host, stack, old) == "302"
