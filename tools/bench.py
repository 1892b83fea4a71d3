"""`make bench`: measure the stack on this host and print the figures.

A benchmark, not a test: it asserts nothing, it measures, compares with the
goals of the performance issue and names every gap. Runs a stack of its own
(login `bench`, names `bench_*`, 127.0.0.1:44320), so a stack you run is never
touched, then removes it (its images stay, unless --purge).

  provisioning  cold converge (base image present, service images absent),
                the same build contexts built with plain `docker build` one
                after another, and a warm no-change rerun: wall seconds, ratios
  serving       h2load (HTTP/2) and wrk (HTTP/1.1) on 127.0.0.1:44320 with the
                real domain as SNI: anonymous home page, logged-in home page,
                wp-login.php, a static asset, and a static HTML file of the
                home page's size (the ceiling): req/s, p50, p99, errors
  status        `make status`'s command (tools/status.py) on the bench stack
  cost          image sizes (own layers, and the base once), memory of each
                container after warm-up and a few idle seconds, and under load
  releases      (--releases) a Debian 12 and a Debian 13 VM side by side,
                fresh_vm's two VMs without its CPU quota, one at a time: the
                cold converge (each builds its own images), the time from an
                engine restart (`systemctl restart docker`) to all healthy,
                the engine's version

Every goal is the performance issue's (#17): ratios measured side by side in
one run, or sizes; a goal missed is printed as a GAP with its figure.

Writes results/bench-<UTC time>.json, its report .md (the figures and goals
of that run, dated: the documentation links to reports, it copies no figures)
and .png (matplotlib). `--report <json>` writes the report of an earlier run.
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import status as status_tool  # noqa: E402  (tools/status.py: memory as `docker stats` counts it)

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / ".cache" / "bench"
RESULTS = ROOT / "results"
LOGIN, PREFIX, PORT = "bench", "bench_", 44320
DOMAIN = f"{LOGIN}.42.fr"
URL = f"https://{DOMAIN}:{PORT}"
PROJECT = "/opt/inception-bench"
DATA = f"/home/{LOGIN}/data"
SERVICES = ("mariadb", "wordpress", "nginx")
BASE_SLIM_MB = 75.0  # Debian's official bookworm-slim, for the size goal
IDLE_S = 5  # seconds without requests before the idle memory is read


def log(message):
    print(f"bench: {message}", flush=True)


def run(argv, **kwargs):
    return subprocess.run(argv, check=False, capture_output=True, text=True, **kwargs)


# --- the bench stack -----------------------------------------------------------

def inventory():
    """An inventory of its own, with random secrets kept private in .cache."""
    WORK.mkdir(parents=True, exist_ok=True)
    secrets_file = WORK / "secrets.json"
    if not secrets_file.exists():
        values = {name: secrets.token_urlsafe(18) for name in (
            "mariadb_root_password", "wordpress_db_password", "wordpress_admin_password",
            "wordpress_user_password")}
        fd = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(values, handle)
    values = json.loads(secrets_file.read_text())
    inv = WORK / "inventory"
    (inv / "group_vars").mkdir(parents=True, exist_ok=True)
    (inv / "hosts.yml").write_text(
        "inception:\n  hosts:\n    bench:\n      ansible_connection: local\n"
        # As the `make` stack's inventory (inventory/hosts.yml): the host's Python.
        "      ansible_python_interpreter: /usr/bin/python3\n")
    group_vars = {
        "inception_login": LOGIN, "inception_domain": DOMAIN, "inception_data_dir": DATA,
        "inception_name_prefix": PREFIX, "inception_project_dir": PROJECT,
        "inception_https_port": PORT, "nginx_tls_bind_address": "127.0.0.1",
        "wordpress_admin_user": "bench_chief", "wordpress_admin_email": f"chief@{DOMAIN}",
        "wordpress_user": "bench_writer", "wordpress_user_email": f"writer@{DOMAIN}",
        **values,
    }
    fd = os.open(inv / "group_vars" / "inception.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(group_vars, handle)
    (inv / "group_vars" / "inception.yml").unlink(missing_ok=True)
    os.rename(inv / "group_vars" / "inception.json", inv / "group_vars" / "inception.yml")
    return inv, values


REFERENCE = """---
# The bench's yardstick for a no-change rerun (issue 23): ten module calls
# that only ask the engine, on the same host, in the same run.
- name: Ask the engine ten times
  hosts: inception
  gather_facts: false
  tasks:
    - name: Read a container
      community.docker.docker_container_info:
        name: "{{ item }}"
      loop: "{{ ['%(prefix)smariadb', '%(prefix)swordpress', '%(prefix)snginx'] * 3 + ['%(prefix)snginx'] }}"
"""


def playbook(inv, name, *extra, profile=None):
    """Run a playbook (playbooks/<name>, or a path); wall seconds and the
    recap's changed count. With profile (a dict), also what the run spent
    its time on."""
    env = {**{k: v for k, v in os.environ.items() if k != "ANSIBLE_FORCE_COLOR"},
           "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
           "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_VAULT_PASSWORD_FILE": str(ROOT / ".cache" / "vault-stand-in")}
    started = time.monotonic()
    result = run([str(BIN / "ansible-playbook"), "-i", str(inv), str(ROOT / "playbooks" / name), *extra],
                 cwd=ROOT, env=env)
    took = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"bench: {name} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
    changed = re.search(r"changed=(\d+)", result.stdout)
    if profile is not None:
        # profile_tasks' lines, "<role> : <task> ---- 0.43s", every task (PROFILE_TASKS_TASK_OUTPUT_LIMIT).
        timings = [(float(m.group(2)), m.group(1).strip()) for m in
                   re.finditer(r"^(.+?) -{2,} (\d+\.\d+)s$", result.stdout, re.M)]
        profile.update(tasks=len(timings), tasks_s=round(sum(t for t, _n in timings), 1),
                       module_tasks=sum(1 for t, _n in timings if t >= 0.15),
                       module_tasks_s=round(sum(t for t, _n in timings if t >= 0.15), 1),
                       slowest=[f"{n} {t:.2f}s" for t, n in sorted(timings, reverse=True)[:8]])
    return took, int(changed.group(1)) if changed else None


def module_calls(inv, name, python="/usr/bin/python3"):
    """The module calls a run of playbook `name` makes on the host, counted
    exactly, by module: it runs once more with the host's Python behind a
    wrapper that notes the payload each call runs (AnsiballZ_<module>.py),
    the loops' items and the action plugins' own calls included. Not timed."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-calls-"))
    try:
        calls = work / "calls"
        wrapper = work / "python"
        wrapper.write_text(f'#!/bin/sh\necho "${{1##*/}}" >> {calls}\nexec {python} "$@"\n')
        wrapper.chmod(0o755)
        playbook(inv, name, "-e", f"ansible_python_interpreter={wrapper}")
        counts = {}
        for line in (calls.read_text().split() if calls.exists() else []):
            if line.startswith("AnsiballZ_") and line.endswith(".py"):
                module = line[len("AnsiballZ_"):-len(".py")]
                counts[module] = counts.get(module, 0) + 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"total": sum(counts.values()), "by_module": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}


def container_image(name):
    return run(["docker", "inspect", "--format", "{{.Config.Image}}", name]).stdout.strip()


# --- provisioning --------------------------------------------------------------

def provisioning(inv):
    log("provisioning: making sure the engine and the base image are there")
    playbook(inv, "site.yml", "--tags", "docker_host")
    log("provisioning: removing the bench stack and every service image (cold start)")
    playbook(inv, "down.yml")
    repositories = {"mariadb", "wordpress", "nginx"}
    listed = run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"]).stdout.split()
    for image in (i for i in listed if i.split(":")[0] in repositories):
        removed = run(["docker", "rmi", image])
        if removed.returncode != 0:
            sys.exit(f"bench: cannot remove {image} for a cold converge ({removed.stderr.strip()}): "
                     "another stack uses it; stop it first (make down)")
    log("provisioning: cold converge")
    os.environ["PROFILE_TASKS_TASK_OUTPUT_LIMIT"] = "all"
    cold_profile = {}
    try:
        cold, _unused = playbook(inv, "site.yml", profile=cold_profile)
    finally:
        os.environ.pop("PROFILE_TASKS_TASK_OUTPUT_LIMIT")
    log(f"provisioning: cold converge took {cold:.0f} s; now plain docker build, one after another")
    plain = 0.0
    for service in SERVICES:
        started = time.monotonic()
        result = run(["docker", "build", "--no-cache", "-q", "-t", f"bench-plain-{service}:1",
                      f"{PROJECT}/build/{service}"])
        if result.returncode != 0:
            sys.exit(f"bench: docker build of {service} failed: {result.stderr[-2000:]}")
        plain += time.monotonic() - started
        run(["docker", "rmi", f"bench-plain-{service}:1"])
    log(f"provisioning: plain docker build took {plain:.0f} s; now three warm reruns, each beside the reference "
        "playbook (ten docker_container_info calls)")
    reference_file = WORK / "reference.yml"
    reference_file.write_text(REFERENCE % {"prefix": PREFIX})
    reruns, references, profile = [], [], {}
    os.environ["PROFILE_TASKS_TASK_OUTPUT_LIMIT"] = "all"
    try:
        for _attempt in range(3):
            warm, changed = playbook(inv, "site.yml", profile=profile)
            reruns.append((warm, changed))
            references.append(playbook(inv, str(reference_file))[0])
    finally:
        os.environ.pop("PROFILE_TASKS_TASK_OUTPUT_LIMIT")
    warm = sorted(t for t, _c in reruns)[1]
    reference = sorted(references)[1]
    log("provisioning: counting the module calls of a rerun and of the reference (one more run each, not timed)")
    calls, reference_calls = module_calls(inv, "site.yml"), module_calls(inv, str(reference_file))
    return {"cold_converge_s": round(cold, 1), "plain_docker_build_s": round(plain, 1),
            "warm_rerun_s": round(warm, 1), "warm_reruns_s": [round(t, 1) for t, _c in reruns],
            "reference_s": round(reference, 1), "references_s": [round(t, 1) for t in references],
            "rerun_over_reference": round(warm / reference, 2),
            "warm_rerun_changed": max(c for _t, c in reruns), "warm_rerun_profile": profile,
            "cold_converge_profile": cold_profile,
            "warm_rerun_module_calls": calls, "reference_module_calls": reference_calls,
            "cold_over_plain": round(cold / plain, 2) if plain else None}


# --- releases ------------------------------------------------------------------

def fresh_vms():
    """molecule/fresh_vm's VMs ({name: release}) and the engine they run on,
    as the scenario declares them."""
    import yaml
    scenario = ROOT / "molecule" / "fresh_vm"
    platforms = yaml.safe_load((scenario / "molecule.yml").read_text())["platforms"]
    run_dir = yaml.safe_load((scenario / "vm_engine_vars.yml").read_text())["vm_engine_run"]
    return {p["name"]: p["release"] for p in platforms}, f"unix://{run_dir}/docker.sock"


def molecule(*args):
    """Run molecule on the fresh_vm scenario, both VMs on full CPUs; wall seconds."""
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "INCEPTION_VM2_CPUS": "0",
           "ANSIBLE_NOCOLOR": "1", "PY_COLORS": "0", "ANSIBLE_FORCE_COLOR": "0"}
    started = time.monotonic()
    result = run([str(BIN / "molecule"), *args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(f"bench: molecule {' '.join(args)} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
    return time.monotonic() - started


def in_vm(vm, *argv):
    return run(["docker", "--host", fresh_vms()[1], "exec", vm, *argv])


def engine_restart(vm):
    """`systemctl restart docker` in the VM, then the three services healthy
    again: (seconds in all, seconds from the engine up to healthy)."""
    started = time.monotonic()
    restart = in_vm(vm, "systemctl", "restart", "docker")
    engine_up = time.monotonic()
    if restart.returncode != 0:
        sys.exit(f"bench: the engine of {vm} did not restart: {restart.stderr}")
    while True:
        states = in_vm(vm, "docker", "inspect", "--format", "{{.State.Health.Status}}", *SERVICES).stdout.split()
        if states == ["healthy"] * len(SERVICES):
            healthy = time.monotonic()
            return healthy - started, healthy - engine_up
        if time.monotonic() - started > 600:
            sys.exit(f"bench: {vm} not healthy 600 s after its engine restarted: {states}")
        time.sleep(0.5)


def releases():
    """Per release: Debian's version, the engine's, the cold converge, and
    from an engine restart to the three services healthy (the restart
    itself, and from the engine up again; the median of three restarts)."""
    log("releases: booting fresh_vm's VMs, a Debian 12 and a Debian 13 one, both on full CPUs")
    molecule("destroy", "-s", "fresh_vm")
    molecule("create", "-s", "fresh_vm")
    figures = {}
    try:
        for vm, release in fresh_vms()[0].items():
            log(f"releases: cold converge of {vm} (Debian {release}), building its own images")
            cold = molecule("converge", "-s", "fresh_vm", "--", "--limit", vm, "-e", "inception_fleet_builder=")
            restarts = sorted(engine_restart(vm) for _attempt in range(3))
            restart, up_to_healthy = restarts[1]
            figures[release] = {
                "vm": vm, "debian": in_vm(vm, "cat", "/etc/debian_version").stdout.strip(),
                "engine": in_vm(vm, "docker", "version", "--format", "{{.Server.Version}}").stdout.strip(),
                "cold_converge_s": round(cold, 1), "engine_restart_s": round(restart - up_to_healthy, 1),
                "engine_up_to_healthy_s": round(up_to_healthy, 1), "engine_restart_to_healthy_s": round(restart, 1),
                "engine_restarts_to_healthy_s": [round(r, 1) for r, _u in restarts]}
            log(f"releases: {release}: {figures[release]}")
    finally:
        molecule("destroy", "-s", "fresh_vm")
    return figures


def releases_table(figures):
    lines = ["releases (VMs of fresh_vm, full CPUs, one at a time; wall seconds; restarts: median of 3)",
             f"  {'release':<10} {'Debian':<8} {'engine':<16} {'cold converge':>14} {'restart -> healthy':>19} "
             f"{'(engine up -> healthy)':>23}"]
    for release, f in figures.items():
        lines.append(f"  {release:<10} {f['debian']:<8} {f['engine']:<16} {f['cold_converge_s']:>14} "
                     f"{f['engine_restart_to_healthy_s']:>19} {f['engine_up_to_healthy_s']:>23}")
    return lines


# --- serving -------------------------------------------------------------------

def context(project):
    return ssl.create_default_context(cafile=f"{project}/tls/{DOMAIN}.crt")


def fetch(path, data=None, cookie=None, project=PROJECT):
    request = urllib.request.Request(URL + path, data=data)
    if cookie:
        request.add_header("Cookie", cookie)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context(project)))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def login_cookie(user, password):
    body = urllib.parse.urlencode({"log": user, "pwd": password, "wp-submit": "Log In",
                                   "redirect_to": "/wp-admin/", "testcookie": "1"}).encode()
    status, headers, _unused = fetch("/wp-login.php", data=body, cookie="wordpress_test_cookie=WP%20Cookie%20check")
    if status != 302:
        sys.exit(f"bench: logging in as {user} failed (HTTP {status})")
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie")]
    return "; ".join(c for c in cookies if c.startswith("wordpress_"))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else None


def h2load_run(path, requests, cookie=None, log_file=None):
    argv = ["h2load", f"--requests={requests}", "--clients=8", "--max-concurrent-streams=1", URL + path]
    if log_file:
        argv.append(f"--log-file={log_file}")
    if cookie:
        argv += ["-H", f"cookie: {cookie}"]
    return run(argv).stdout


def h2load(path, duration, cookie=None):
    """h2load by request count, sized from a first short run to last about
    `duration` seconds: its timed mode (--duration) stops each client at 1000
    requests and reports that cap, not the rate, for fast pages (nghttp2 1.52:
    8000 requests in 5 s is 1600 req/s whatever the server does)."""
    probe = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", h2load_run(path, 200, cookie))
    requests = max(200, int(float(probe.group(1)) * duration)) if probe else 200
    with tempfile.NamedTemporaryFile(suffix=".log") as per_request:
        out = h2load_run(path, requests, cookie, per_request.name)
        rows = [line.split("\t") for line in pathlib.Path(per_request.name).read_text().splitlines() if line]
    times = [int(r[2]) / 1000 for r in rows if len(r) >= 3]
    rate = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
    done = re.search(r"requests: (\d+) total, (\d+) started, \d+ done, \d+ succeeded, (\d+) failed, "
                     r"(\d+) errored, (\d+) timeout", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    errors = None
    if done:
        # Requests not started when the duration ends count as failed and errored.
        total, started, failed, errored, timeouts = map(int, done.groups())
        not_started = total - started
        errors = max(0, failed - not_started) + max(0, errored - not_started) + timeouts
    return {"req_s": float(rate.group(1)) if rate else None,
            "p50_ms": round(percentile(times, 0.5), 1) if times else None,
            "p99_ms": round(percentile(times, 0.99), 1) if times else None,
            "errors": errors, "non_2xx": sum(map(int, codes.groups()[1:])) if codes else None}


def wrk(path, duration, cookie=None):
    argv = ["wrk", "--duration", f"{duration}s", "--connections", "8", "--threads", "2",
            "--timeout", "10s", "--latency", URL + path]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    out = run(argv).stdout

    def ms(text):
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 1)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"req_s": float(rate.group(1)) if rate else None,
            "p50_ms": ms(p50.group(1)) if p50 else None, "p99_ms": ms(p99.group(1)) if p99 else None,
            "errors": sum(map(int, socket.groups())) if socket else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def memory_stats():
    """One-shot stats of the three containers from the engine (tools/status.py's reading)."""
    import docker  # the venv's, as `make status` uses it
    client = docker.from_env()
    return {service: client.api.stats(PREFIX + service, stream=False, one_shot=True) for service in SERVICES}


def memory():
    """MiB each container uses, as `docker stats` counts it (the page cache
    not recently used left out)."""
    return {service: round(status_tool.used_memory(stats) / 2**20, 1) for service, stats in memory_stats().items()}


def memory_parts():
    """What that memory is made of, MiB: anonymous (the processes' own),
    shared (opcache, APCu: tmpfs-like pages), files (the page cache docker
    stats counts: recently read or written files, reclaimable), kernel (the
    rest of the cgroup's usage: inodes, dentries, sockets)."""
    parts = {}
    for service, stats in memory_stats().items():
        used = status_tool.used_memory(stats) or 0
        detail = (stats.get("memory_stats") or {}).get("stats") or {}
        if "total_rss" in detail:  # cgroup v1: shared pages are the cache that is on no file list
            anonymous, files = detail["total_rss"], detail.get("total_active_file", 0)
            shared = max(0, detail.get("total_cache", 0) - files - detail.get("total_inactive_file", 0))
        else:
            anonymous, shared, files = detail.get("anon", 0), detail.get("shmem", 0), detail.get("active_file", 0)
        parts[service] = {"anonymous": round(anonymous / 2**20, 1), "shared": round(shared / 2**20, 1),
                          "files": round(files / 2**20, 1),
                          "kernel": round(max(0, used - anonymous - shared - files) / 2**20, 1)}
    return parts


def questions():
    """MariaDB's count of statements received (the root password read from its
    secret file inside the container, never on a command line here)."""
    out = run(["docker", "exec", PREFIX + "mariadb", "sh", "-c",
               'MYSQL_PWD="$(cat /run/secrets/mariadb_root_password)" mariadb -uroot -N -e '
               '"SHOW GLOBAL STATUS LIKE \'Questions\'"']).stdout.split()
    return int(out[-1]) if out else 0


def view_cost(path, cookie, views=50):
    """What one view costs, measured over `views` sequential ones: CPU
    milliseconds of each container (the cgroup's own accounting) and
    statements sent to MariaDB."""
    def cpu():
        return {service: stats["cpu_stats"]["cpu_usage"]["total_usage"] for service, stats in memory_stats().items()}

    before, asked = cpu(), questions()
    for _unused in range(views):
        fetch(path, cookie=cookie)
    after, asked = cpu(), questions() - asked
    return {"cpu_ms": {service: round((after[service] - before[service]) / 1e6 / views, 1) for service in SERVICES},
            "queries": round(asked / views, 1)}


def warm_up_then_idle(admin):
    """Anonymous views (the page cache) and logged-in ones (PHP, the object
    cache, the database), then idle: php-fpm's workers end after
    wordpress_fpm_process_idle_timeout (3 s) without requests."""
    for _unused in range(20):
        fetch("/")
        fetch("/", cookie=admin)
    time.sleep(IDLE_S)


def restarted_memory(secrets_values):
    """Idle memory after the three containers restart (what a first start
    left in the page cache and the kernel is gone), warm-up included."""
    run(["docker", "restart", *(PREFIX + s for s in SERVICES)])
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        states = [run(["docker", "inspect", "--format", "{{.State.Health.Status}}", PREFIX + s]).stdout.strip()
                  for s in SERVICES]
        if all(state == "healthy" for state in states):
            break
        time.sleep(1)
    warm_up_then_idle(login_cookie("bench_chief", secrets_values["wordpress_admin_password"]))
    return memory()


def serving(secrets_values, duration):
    admin = login_cookie("bench_chief", secrets_values["wordpress_admin_password"])
    status, _unused, home = fetch("/")
    if status != 200:
        sys.exit(f"bench: the home page answers {status}")
    # The ceiling: a static file of the home page's size, served by the same nginx.
    static = pathlib.Path(f"{DATA}/wordpress/bench-static.html")
    static.write_bytes(home)
    os.chown(static, 33, 33)
    warm_up_then_idle(admin)
    idle = memory()
    parts = memory_parts()
    cost = view_cost("/", admin)
    targets = [
        ("home, anonymous", "/", None),
        ("home, logged in", "/", admin),
        ("wp-login.php", "/wp-login.php", None),
        ("static asset", "/wp-includes/css/dist/block-library/style.min.css", None),
        ("static HTML, home's size (ceiling)", "/bench-static.html", None),
    ]
    results, peak = [], {}
    for label, path, cookie in targets:
        for tool, measure in (("h2load", h2load), ("wrk", wrk)):
            log(f"serving: {tool} {label} ({duration} s)")
            sampled = {}
            sampler = threading.Timer(duration / 2, lambda: sampled.update(memory()))
            sampler.start()
            figures = measure(path, duration, cookie)
            sampler.join()
            for name, value in sampled.items():
                peak[name] = max(peak.get(name, 0), value)
            results.append({"target": label, "path": path, "tool": tool, **figures})
    static.unlink()
    return results, idle, peak, len(home), parts, cost


# --- make status ----------------------------------------------------------------

def status_timing():
    """Wall seconds of `make status`'s command (tools/status.py) on the bench
    stack, the median of three, and whether it printed a row per service."""
    times, out = [], ""
    for _attempt in range(3):
        started = time.monotonic()
        result = run([str(BIN / "python"), str(ROOT / "tools" / "status.py"), "--network", f"{PREFIX}inception"])
        times.append(time.monotonic() - started)
        out = result.stdout
    rows = [line for line in out.splitlines() if line.split() and line.split()[0] in SERVICES]
    return {"status_s": round(sorted(times)[1], 2), "status_rows": len(rows), "status_table": out}


# --- cost ----------------------------------------------------------------------

def sizes():
    def size(image):
        out = run(["docker", "image", "inspect", "--format", "{{.Size}}", image]).stdout.strip()
        return int(out) / 1e6 if out else None

    def packages(image):
        out = run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "dpkg-query", image,
                   "-W", "-f", "${Installed-Size}\t${Package}\n"]).stdout
        return {name: int(kib or 0) for kib, name in (line.split("\t") for line in out.splitlines() if "\t" in line)}

    base = size("debian:bookworm")
    own = {s: round(size(container_image(PREFIX + s)) - base, 1) for s in SERVICES}
    # What the own layers hold: the biggest packages an image adds to the base.
    in_base = packages("debian:bookworm")
    largest = {}
    for service in SERVICES:
        added = {n: k for n, k in packages(container_image(PREFIX + service)).items() if n not in in_base}
        largest[service] = [f"{n} {k / 1024:.1f}" for n, k in sorted(added.items(), key=lambda i: -i[1])[:6]]
    return {"base_mb": round(base, 1), "own_layers_mb": own, "largest_packages_mb": largest,
            "three_images_base_once_mb": round(base + sum(own.values()), 1)}


# --- report --------------------------------------------------------------------

def logged_in_row(report, serving):
    goal = "logged-in home >= 2x the stock settings (h2load)"
    if "serving_stock" not in report:
        return (goal, "stock run skipped", None)
    stock = {(r["target"], r["tool"]): r for r in report["serving_stock"]}
    tuned_rate = serving[("home, logged in", "h2load")]["req_s"] or 0
    stock_rate = stock[("home, logged in", "h2load")]["req_s"] or 1
    return (goal, f"{tuned_rate / stock_rate:.2f}x ({tuned_rate:.1f} vs {stock_rate:.1f} req/s)",
            tuned_rate / stock_rate >= 2)


def code_lines():
    """The size of the lifecycle's YAML (issue 23's figures)."""
    def lines(pattern):
        return sum(len(path.read_text().splitlines()) for path in ROOT.glob(pattern))
    return {"task_lines": lines("roles/*/tasks/*.yml"), "spec_lines": lines("roles/*/meta/argument_specs.yml")}


def goals(report):
    serving = {(r["target"], r["tool"]): r for r in report["serving"]}
    anon = serving[("home, anonymous", "h2load")]["req_s"] or 0
    ceiling = serving[("static HTML, home's size (ceiling)", "h2load")]["req_s"] or 1
    prov = report.get("provisioning") or {}
    cost = report["cost"]
    idle = sum(report["memory_idle_mib"].values())
    wrk_anon = serving[("home, anonymous", "wrk")]["req_s"] or 0
    wrk_ceiling = serving[("static HTML, home's size (ceiling)", "wrk")]["req_s"] or 1
    status = report.get("status") or {}
    rows = [
        logged_in_row(report, serving),
        ("idle memory of the three < 80 MiB", f"{idle:.0f} MiB (" + ", ".join(
            f"{k} {v}" for k, v in report["memory_idle_mib"].items()) + ")"
         + (f"; {sum(report['memory_idle_restarted_mib'].values()):.0f} MiB once restarted"
            if report.get("memory_idle_restarted_mib") else ""), idle < 80),
        ("three images < 250 MB, base once", f"{cost['three_images_base_once_mb']} MB",
         cost["three_images_base_once_mb"] < 250),
        ("cold converge <= 1.3x plain docker build", f"{prov.get('cold_over_plain', '-')}x",
         (prov.get("cold_over_plain") or 9) <= 1.3) if prov else ("cold converge", "not measured", None),
        ("make status < 2 s, a row per service", f"{status.get('status_s')} s, {status.get('status_rows')} rows",
         (status.get("status_s") or 99) < 2 and status.get("status_rows") == len(SERVICES)),
        ("anonymous home >= 90% of the static ceiling (h2load)",
         f"{anon / ceiling:.1%} ({anon:.0f} vs {ceiling:.0f} req/s; wrk {wrk_anon / wrk_ceiling:.1%})", anon / ceiling >= 0.9),
        ("no-change rerun <= 2x the reference (ten docker_container_info calls), changed=0",
         f"{prov.get('rerun_over_reference', '-')}x ({prov.get('warm_rerun_s', '-')} s vs "
         f"{prov.get('reference_s', '-')} s), changed={prov.get('warm_rerun_changed')}, "
         + (f"{prov['warm_rerun_module_calls']['total']} module calls on the host"
            if prov.get("warm_rerun_module_calls") else
            f"{(prov.get('warm_rerun_profile') or {}).get('module_tasks', '-')} module calls"),
         (prov.get("rerun_over_reference") or 99) <= 2 and prov.get("warm_rerun_changed") == 0)
        if prov else ("no-change rerun <= 2x the reference", "not measured (--serving-only)", None),
        ("task lines of roles/*/tasks <= 1,400", f"{code_lines()['task_lines']}", code_lines()["task_lines"] <= 1400),
        ("argument spec lines <= 2/3 of 1,181", f"{code_lines()['spec_lines']}", code_lines()["spec_lines"] <= 787),
        ("base image within 10% of 75 MB", f"{cost['base_mb']} MB", cost["base_mb"] <= BASE_SLIM_MB * 1.1),
    ]
    return [{"goal": g, "measured": m, "met": ok} for g, m, ok in rows]


def table(report):
    lines = []
    if report.get("releases"):
        lines += releases_table(report["releases"]) + [""]
    if "serving" not in report:
        return "\n".join(lines)
    if report.get("provisioning"):
        p = report["provisioning"]
        lines += ["provisioning (wall seconds)",
                  f"  cold converge {p['cold_converge_s']}, plain docker build {p['plain_docker_build_s']} "
                  f"(ratio {p['cold_over_plain']}), warm rerun {p['warm_rerun_s']} (median of "
                  f"{', '.join(map(str, p.get('warm_reruns_s', [])))}; changed={p['warm_rerun_changed']}), "
                  f"reference playbook {p.get('reference_s')} (median of "
                  f"{', '.join(map(str, p.get('references_s', [])))}; ratio {p.get('rerun_over_reference')})"]
        cold = p.get("cold_converge_profile") or {}
        if cold:
            lines += [f"  where the cold converge goes: {cold['tasks']} tasks, {cold['tasks_s']} s; slowest: "
                      + "; ".join(cold["slowest"])]
        profile = p.get("warm_rerun_profile") or {}
        if profile:
            lines += [f"  where a warm rerun goes: {profile['tasks']} tasks, {profile['tasks_s']} s; "
                      f"{profile['module_tasks']} tasks of 0.15 s or more {profile['module_tasks_s']} s, the rest "
                      f"{round(profile['tasks_s'] - profile['module_tasks_s'], 1)} s; slowest: "
                      + "; ".join(profile["slowest"])]
        calls = p.get("warm_rerun_module_calls")
        if calls:
            reference_calls = (p.get("reference_module_calls") or {}).get("total", "-")
            lines += [f"  module calls on the host, counted (Ansible's payloads kept in a run of their own): "
                      f"rerun {calls['total']}, reference {reference_calls}; the rerun's by module: "
                      + ", ".join(f"{name} {count}" for name, count in calls["by_module"].items())]
        lines += [""]
    lines.append(f"serving ({report['duration_s']} s each, 8 clients, 127.0.0.1:{PORT}, SNI {DOMAIN})")
    lines.append(f"  {'target':<36} {'tool':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'non-2xx':>8}")
    for r in report["serving"]:
        lines.append(f"  {r['target']:<36} {r['tool']:<7} {r['req_s'] or 0:>8.1f} {r['p50_ms'] or 0:>8.1f} "
                     f"{r['p99_ms'] or 0:>8.1f} {r['errors'] or 0:>7} {r['non_2xx'] or 0:>8}")
    if report.get("serving_stock"):
        lines.append("  with Debian's stock settings (inception_tuning=false):")
        for r in report["serving_stock"]:
            lines.append(f"  {r['target']:<36} {r['tool']:<7} {r['req_s'] or 0:>8.1f} {r['p50_ms'] or 0:>8.1f} "
                         f"{r['p99_ms'] or 0:>8.1f} {r['errors'] or 0:>7} {r['non_2xx'] or 0:>8}")
    for key, label in (("logged_in_view", "tuned"), ("logged_in_view_stock", "stock")):
        if report.get(key):
            view = report[key]
            lines.append(f"  one logged-in home view, {label}: CPU ms " + ", ".join(
                f"{k} {v}" for k, v in view["cpu_ms"].items()) + f"; {view['queries']} statements to MariaDB")
    cost = report["cost"]
    if report.get("status"):
        lines += ["", f"make status (tools/status.py): {report['status']['status_s']} s", report["status"]["status_table"].rstrip()]
    lines += ["", f"cost: base {cost['base_mb']} MB, own layers "
                  + ", ".join(f"{k} {v} MB" for k, v in cost["own_layers_mb"].items())
                  + f", the three with the base once {cost['three_images_base_once_mb']} MB"]
    for service, largest in (cost.get("largest_packages_mb") or {}).items():
        lines.append(f"  {service} adds (MiB installed): " + ", ".join(largest))
    restarted = report.get("memory_idle_restarted_mib") or {}
    lines += [f"  memory MiB after warm-up and {IDLE_S} s idle: "
              + ", ".join(f"{k} {v}" for k, v in report["memory_idle_mib"].items()),
              "  of which (anonymous / shared / files / kernel): " + ", ".join(
                  f"{k} {v['anonymous']} / {v['shared']} / {v['files']} / {v.get('kernel', '-')}"
                  for k, v in (report.get("memory_idle_parts_mib") or {}).items()),
              "  the same once the three restarted (no first-start caches): "
              + ", ".join(f"{k} {v}" for k, v in restarted.items()) + f" = {sum(restarted.values()):.0f} MiB",
              "  memory MiB under load (peak sample): "
              + ", ".join(f"{k} {v}" for k, v in report["memory_load_mib"].items()),
              "", "goals"]
    for g in report["goals"]:
        verdict = {True: "met", False: "GAP", None: "n/a"}[g["met"]]
        lines.append(f"  [{verdict:>4}] {g['goal']}: {g['measured']}")
    return "\n".join(lines)


def markdown(report, name):
    """The report of one run, dated: where it ran, every figure (the printed
    table), then the goals, met or not."""
    verdicts = {True: "met", False: "**gap**", None: "n/a"}
    lines = [f"# Benchmark {name}", "",
             f"`make bench` on {report.get('host', '?')} ({report.get('cpus', '?')} CPUs), started "
             f"{report.get('started', '?')}; generated from `{name}.json` by tools/bench.py.", ""]
    if report.get("goals"):
        lines += ["| goal | measured | |", "|---|---|---|"]
    for goal in report.get("goals") or []:
        measured = str(goal["measured"]).replace("|", "\\|")
        lines.append(f"| {goal['goal']} | {measured} | {verdicts[goal['met']]} |")
    lines += ["", "## Every figure", "", "```", table(report), "```", ""]
    return "\n".join(lines)


def chart(report, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is missing: no chart (make bench installs it)")
        return
    figure, (serve, mem) = plt.subplots(1, 2, figsize=(13, 5))
    labels = [f"{r['target']}\n{r['tool']}" for r in report["serving"]]
    serve.barh(labels, [r["req_s"] or 0 for r in report["serving"]],
               color=["#4c72b0" if r["tool"] == "h2load" else "#dd8452" for r in report["serving"]])
    serve.set_xlabel("requests per second")
    serve.set_title("serving over TLS (h2load blue, wrk orange)")
    serve.invert_yaxis()
    names = list(report["memory_idle_mib"])
    mem.bar([n + "\nidle" for n in names], [report["memory_idle_mib"][n] for n in names], color="#55a868")
    mem.bar([n + "\nload" for n in names], [report["memory_load_mib"].get(n, 0) for n in names], color="#c44e52")
    mem.set_ylabel("MiB")
    mem.set_title("container memory")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    log(f"chart written to {path}")


def write(report):
    """Print the table; write the figures, the report and the chart."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"bench-{stamp}.md").write_text(markdown(report, f"bench-{stamp}"))
    print()
    print(table(report))
    print()
    log(f"figures written to {RESULTS / f'bench-{stamp}.json'}, the report to {RESULTS / f'bench-{stamp}.md'}")
    if "serving" in report:
        chart(report, RESULTS / f"bench-{stamp}.png")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run (default 10)")
    parser.add_argument("--serving-only", action="store_true", help="skip the provisioning measurements")
    parser.add_argument("--keep", action="store_true", help="leave the bench stack running")
    parser.add_argument("--no-stock", action="store_true", help="skip the run with Debian's stock settings")
    parser.add_argument("--releases", action="store_true",
                        help="also compare a Debian 12 and a Debian 13 VM (about 20 minutes more)")
    parser.add_argument("--releases-only", action="store_true", help="only compare the two releases")
    parser.add_argument("--report", type=pathlib.Path, metavar="JSON",
                        help="only write the .md report of an earlier run's figures, beside them")
    args = parser.parse_args()
    if args.report:
        report_path = args.report.with_suffix(".md")
        report_path.write_text(markdown(json.loads(args.report.read_text()), args.report.stem))
        log(f"report written to {report_path}")
        return
    # The engine comes with the stack (docker_host); the load generators with `make bench`.
    for tool in ("h2load", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing: apt-get install wrk nghttp2-client")
    report = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "host": os.uname().nodename, "cpus": os.cpu_count(), "duration_s": args.duration}
    if args.releases or args.releases_only:
        report["releases"] = releases()
    if args.releases_only:
        write(report)
        return
    inv, values = inventory()
    if args.serving_only:
        playbook(inv, "site.yml")
    else:
        report["provisioning"] = provisioning(inv)
    report["serving"], report["memory_idle_mib"], report["memory_load_mib"], report["home_bytes"], \
        report["memory_idle_parts_mib"], report["logged_in_view"] = serving(values, args.duration)
    log("memory: restarting the three, then warm-up and idle again")
    report["memory_idle_restarted_mib"] = restarted_memory(values)
    if not args.no_stock:
        log("stock settings: converging with inception_tuning=false (Debian's php-fpm, opcache and nginx, no page cache)")
        playbook(inv, "site.yml", "-e", "inception_tuning=false")
        report["serving_stock"], report["memory_idle_mib_stock"], _unused, _unused, _unused, \
            report["logged_in_view_stock"] = serving(values, args.duration)
        log("back to the tuned settings")
        playbook(inv, "site.yml")
    report["status"] = status_timing()
    report["cost"] = sizes()
    report["goals"] = goals(report)
    write(report)
    if not args.keep:
        log("removing the bench stack and its data (its images stay)")
        playbook(inv, "fclean.yml", "-e", "inception_purge_confirm=yes", "-e", "docker_host_purge_images=false")


if __name__ == "__main__":
    main()
