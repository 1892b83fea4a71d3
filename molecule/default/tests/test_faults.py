"""Faults against the real running stack: crashes, clean stops, the database
going away, sustained load, MariaDB killed mid-write, a read-only data
directory. Each test leaves the stack healthy; the recovery times are printed
at the end of the run (and kept in results/faults-<scenario>.json).

The SIGKILL test runs in every scenario (once per service on the VMs, five
times here); the others only in the default scenario, on this host.
"""
import base64
import json
import re
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import EPHEMERAL, FIGURES, SCENARIO, SERVICES, curl, health, overrides_with, php
from playbook import private_json, run_playbook

default_only = pytest.mark.skipif(SCENARIO != "default", reason="needs this host as the controller")
KILLS = 5 if SCENARIO == "default" else 1
RECOVERY_BOUND = 90


def wait_healthy(inspect, stack, service, old_pid=None, bound=RECOVERY_BOUND):
    """Seconds until the service runs a new PID 1 (if old_pid) and is healthy."""
    started = time.monotonic()
    while True:
        pid, status, healthy = health(inspect, stack, service)
        if status == "running" and healthy == "healthy" and pid not in (0, old_pid):
            return time.monotonic() - started
        assert time.monotonic() - started < bound, f"{service} not healthy within {bound} s: {status}/{healthy}"
        time.sleep(0.25)


def http_code(host, stack, path="/"):
    return curl(host, stack, path, "--output /dev/null --write-out '%{http_code}'").stdout


def sql(host, stack, query):
    return host.check_output(
        f"docker exec {stack['prefix']}mariadb mariadb --batch --skip-column-names wordpress -e \"{query}\"")


def content_checksum(host, stack):
    """What must never be lost: posts, comments, users (not options, which
    WordPress rewrites as it runs)."""
    return sql(host, stack, "CHECKSUM TABLE wp_posts, wp_comments, wp_users, wp_usermeta EXTENDED")


def record(name, value):
    FIGURES[f"{SCENARIO}: {name}"] = value


# --- crashes -----------------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
def test_container_comes_back_after_repeated_sigkill(host, inspect, stack, service):
    before = content_checksum(host, stack)
    restarts = inspect(stack["prefix"] + service)["RestartCount"]
    times = []
    for _unused in range(KILLS):
        pid, _unused, _unused = health(inspect, stack, service)
        host.check_output(f"kill -KILL {pid}")
        times.append(wait_healthy(inspect, stack, service, old_pid=pid))
    assert inspect(stack["prefix"] + service)["RestartCount"] == restarts + KILLS
    # Healthy means serving: the site answers, and nothing was lost.
    for _unused in range(30):
        if http_code(host, stack) == "200":
            break
        time.sleep(1)
    assert http_code(host, stack) == "200"
    assert content_checksum(host, stack) == before
    record(f"SIGKILL {service} x{KILLS}: back healthy in (s)",
           f"{', '.join(f'{t:.1f}' for t in times)} (max {max(times):.1f})")


# --- clean shutdown ----------------------------------------------------------

@default_only
@pytest.mark.parametrize("service", SERVICES)
def test_stops_cleanly_within_its_stop_timeout(host, inspect, stack, service):
    name = stack["prefix"] + service
    stop_timeout = inspect(name)["Config"]["StopTimeout"]
    assert stop_timeout
    started = time.monotonic()
    host.check_output(f"docker stop {name}")
    took = time.monotonic() - started
    state = inspect(name)["State"]
    try:
        # 0: the daemon handled the signal; 137 would mean docker had to SIGKILL it.
        assert state["ExitCode"] == 0, f"{service} exited {state['ExitCode']} on stop"
        assert took < stop_timeout
        if service == "mariadb":
            assert "Shutdown complete" in host.check_output(f"docker logs --tail 20 {name} 2>&1")
    finally:
        host.check_output(f"docker start {name}")
    wait_healthy(inspect, stack, service)
    if service == "mariadb":
        since = inspect(name)["State"]["StartedAt"]
        log = host.check_output(f"docker logs --since {since} {name} 2>&1")
        assert "crash recovery" not in log.lower(), log
    record(f"docker stop {service}", f"{took:.1f} s (stop timeout {stop_timeout} s), exit 0")


# --- the database goes away --------------------------------------------------

@default_only
def test_wordpress_answers_while_the_database_is_away_and_recovers_alone(host, inspect, stack):
    wordpress = inspect(stack["prefix"] + "wordpress")
    host.check_output(f"docker stop {stack['prefix']}mariadb")
    try:
        started = time.monotonic()
        result = curl(host, stack, "/", "--write-out '\n%{http_code}'")
        answered = time.monotonic() - started
        body, _unused, code = result.stdout.rpartition("\n")
        assert code == "500", code
        assert "Error establishing a database connection" in body
        assert answered < 10
    finally:
        host.check_output(f"docker start {stack['prefix']}mariadb")
    started = time.monotonic()
    while http_code(host, stack) != "200":
        assert time.monotonic() - started < RECOVERY_BOUND, "the site did not come back"
        time.sleep(0.5)
    recovered = time.monotonic() - started
    after = inspect(stack["prefix"] + "wordpress")
    # WordPress was not restarted: it reconnected by itself.
    assert (after["State"]["StartedAt"], after["RestartCount"]) == \
        (wordpress["State"]["StartedAt"], wordpress["RestartCount"])
    record("database away: error page after", f"{answered:.2f} s (HTTP 500, no hang)")
    record("database back: home page 200 after", f"{recovered:.1f} s from docker start")


# --- load --------------------------------------------------------------------

def run_tool(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        pytest.fail(f"{argv[0]} is missing: apt-get install wrk nghttp2-client (.ci/run does)")


H2LOAD_DONE = (r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
               r"(\d+) errored, (\d+) timeout")


@default_only
def test_sustained_http2_load_gets_no_errors(stack):
    argv = ["h2load", "--duration=10", "--clients=8", "--max-concurrent-streams=1", "--warm-up-time=1",
            stack["url"] + "/"]
    result = run_tool(argv)
    first_run = re.search(H2LOAD_DONE, result.stdout)
    # Seen once in a timed run: h2load reports 0 total, 0 started and exits 0
    # (its clients counted nothing); it runs once more, and that run is judged.
    if first_run and int(first_run.group(1)) == 0:
        result = run_tool(argv)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    done = re.search(H2LOAD_DONE, out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    rate = re.search(r"finished in [\d.]+s, ([\d.]+) req/s", out)
    latency = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", out)
    assert done and codes and rate and latency, out
    total, started, _unused, succeeded, failed, errored, timeouts = map(int, done.groups())
    # h2load's own accounting around the warm-up and the end of a timed run
    # is loose: requests it had not started when the duration ended may be
    # counted as failed and errored (seen: 2 of 2 not started, 2 failed, 2
    # errored; or 8 not started, 0 failed). Only more than that is an error.
    not_started = total - started
    assert succeeded > 0, out + result.stderr
    assert failed <= not_started and errored <= not_started and timeouts == 0, done.group(0)
    # No error status at all (the counts include the warm-up's responses).
    assert int(codes.group(3)) == int(codes.group(4)) == 0 and int(codes.group(1)) > 0, codes.group(0)
    record("h2load 10 s, 8 clients, home page",
           f"{rate.group(1)} req/s, latency min {latency.group(1)} max {latency.group(2)} "
           f"mean {latency.group(3)}, {succeeded} requests, 0 errors, 0 5xx")


@default_only
def test_sustained_http1_load_gets_no_errors(stack):
    result = run_tool(["wrk", "--duration", "10s", "--connections", "8", "--threads", "2",
                       "--timeout", "10s", "--latency", stack["url"] + "/"])
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Socket errors" not in out, out
    assert "Non-2xx or 3xx responses" not in out, out
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    count = re.search(r"(\d+) requests in", out)
    assert rate and p50 and p99 and count and int(count.group(1)) > 0, out
    record("wrk 10 s, 8 connections, home page",
           f"{rate.group(1)} req/s, p50 {p50.group(1)}, p99 {p99.group(1)}, "
           f"{count.group(1)} requests, 0 socket errors, 0 non-2xx")


# --- MariaDB killed in the middle of writes ----------------------------------

@pytest.fixture()
def application_password(host, stack):
    """An application password of the administrator, for the REST API."""
    out = php(host, stack, (
        f"$u = get_user_by('login', '{stack['admin_user']}');"
        " [$password, $item] = WP_Application_Passwords::create_new_application_password("
        "$u->ID, ['name' => 'fault-test']); echo $item['uuid'], ' ', $password;"))
    uuid, password = out.split(" ", 1)
    yield password.strip()
    php(host, stack, (f"$u = get_user_by('login', '{stack['admin_user']}');"
                      f" WP_Application_Passwords::delete_application_password($u->ID, '{uuid}');"))


class Writer(threading.Thread):
    """Publishes posts through the REST API, one after another, and keeps the
    ones WordPress acknowledged (201 with an id)."""

    def __init__(self, stack, user, password):
        super().__init__(daemon=True)
        self.url = stack["url"] + "/wp-json/wp/v2/posts"
        self.context = ssl.create_default_context(cafile=stack["cert"])
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self.acknowledged, self.refused = {}, 0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            title = f"fault-write-{time.time_ns()}-{n}"
            body = json.dumps({"title": title, "content": "written under fire", "status": "publish"}).encode()
            request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")
            try:
                with urllib.request.urlopen(request, context=self.context, timeout=20) as response:
                    if response.status == 201:
                        with self.lock:
                            self.acknowledged[json.load(response)["id"]] = title
                        continue
            except (urllib.error.URLError, OSError, ValueError):
                pass
            with self.lock:
                self.refused += 1
            time.sleep(0.2)

    def count(self):
        with self.lock:
            return len(self.acknowledged)


@default_only
def test_every_acknowledged_write_survives_mariadb_killed_mid_stream(host, inspect, stack, application_password):
    writer = Writer(stack, stack["admin_user"], application_password)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while writer.count() < 10:
            assert time.monotonic() < deadline and writer.is_alive(), f"no writes went through ({writer.refused} refused)"
            time.sleep(0.1)
        pid, _unused, _unused = health(inspect, stack, "mariadb")
        before_kill = writer.count()
        host.check_output(f"kill -KILL {pid}")
        killed = time.monotonic()
        back = wait_healthy(inspect, stack, "mariadb", old_pid=pid)
        while writer.count() < before_kill + 10:
            assert time.monotonic() - killed < RECOVERY_BOUND, "writes did not resume"
            time.sleep(0.1)
        resumed = time.monotonic() - killed
    finally:
        writer.stop.set()
        writer.join(30)
    acknowledged = dict(writer.acknowledged)
    ids = ",".join(map(str, acknowledged))
    stored = dict(line.split("\t", 1) for line in sql(
        host, stack, f"SELECT ID, post_title FROM wp_posts WHERE ID IN ({ids}) AND post_status = 'publish'"
    ).splitlines())
    missing = {i: t for i, t in acknowledged.items() if stored.get(str(i)) != t}
    assert not missing, f"acknowledged but lost: {missing}"
    php(host, stack, f"foreach ([{ids}] as $id) {{ wp_delete_post($id, true); }}")
    record("MariaDB SIGKILLed during REST writes",
           f"{len(acknowledged)} acknowledged writes, 0 lost, {writer.refused} refused while down; "
           f"healthy after {back:.1f} s, writes resumed after {resumed:.1f} s")


# --- a read-only data directory ----------------------------------------------

@default_only
def test_a_read_only_data_directory_fails_clearly_and_loses_nothing(host, inspect, stack, tmp_path):
    before = content_checksum(host, stack)
    datadir = f"{stack['data_dir']}/mariadb"
    host.check_output(f"docker stop {stack['prefix']}mariadb")
    host.check_output(f"mount --bind {datadir} {datadir} && mount -o remount,bind,ro {datadir}")
    try:
        extra = private_json(tmp_path / "extra.json", {
            "inception_service_overrides": overrides_with(host, "mariadb", healthy_timeout=15)})
        result = run_playbook("site.yml", EPHEMERAL / "inventory", "-e", f"@{extra}")
        output = result.stdout + result.stderr
        assert result.returncode != 0, output[-3000:]
        assert f"{stack['prefix']}mariadb did not become healthy" in output, output[-3000:]
        # The reason, from MariaDB's own log lines, is in the failure message.
        assert "Read-only file system" in output, output[-3000:]
        print(output[output.index("did not become healthy") - 300:][:2500])
    finally:
        host.check_output(f"umount {datadir}")
    # The restart policy keeps trying: once the directory is writable again,
    # MariaDB comes back by itself, with everything it held.
    recovered = wait_healthy(inspect, stack, "mariadb")
    assert content_checksum(host, stack) == before
    assert http_code(host, stack) == "200"
    record("read-only MariaDB data directory",
           f"playbook failed naming the cause; healthy {recovered:.1f} s after it was writable again, nothing lost")
