"""The bonus services, each doing its job, on a stack that runs them all
(the default scenario; fresh_vm runs the mandatory stack only)."""
import json
import re
import time

import pytest

from conftest import curl, php, settled


@pytest.fixture()
def bonus(stack):
    def _bonus(name):
        if name not in stack["bonus"]:
            pytest.skip(f"{name} is not switched on in this scenario")
        return stack["prefix"] + name
    return _bonus


def published(container):
    return {port: bindings for port, bindings in (container["HostConfig"]["PortBindings"] or {}).items() if bindings}


@pytest.mark.parametrize("service,daemon", [
    ("redis", "redis-server"), ("ftp", "vsftpd"), ("static_site", "busybox"),
    ("adminer", "php-fpm"), ("backup_cron", "cron"),
])
def test_bonus_container_is_healthy_with_its_daemon_as_pid_1(host, inspect, bonus, stack, service, daemon):
    container = settled(inspect, bonus(service))
    assert container["State"]["Health"]["Status"] == "healthy"
    assert container["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    assert re.fullmatch(rf"{service}:[0-9a-f]{{12}}", container["Config"]["Image"])
    assert container["HostConfig"]["ReadonlyRootfs"] is True
    assert container["HostConfig"]["CapDrop"] == ["ALL"]
    assert list(container["NetworkSettings"]["Networks"]) == [stack["network"]]
    comm = host.check_output(f"docker exec {bonus(service)} cat /proc/1/comm")
    if service == "ftp":
        # Docker's init reaps the orphans of vsftpd's sessions; vsftpd is its
        # one child (vsftpd as PID 1 would crash reaping one).
        assert container["HostConfig"]["Init"] is True
        assert comm.strip() == "docker-init"
        children = host.check_output(
            f"docker exec {bonus(service)} sh -c \"grep -l '^PPid:[[:space:]]*1$' /proc/[0-9]*/status\"").split()
        assert len(children) == 1, children
        comm = host.check_output(f"docker exec {bonus(service)} cat {children[0].replace('status', 'comm')}")
    assert comm.startswith(daemon[:15])


@pytest.mark.parametrize("service", ["redis", "static_site", "adminer", "backup_cron"])
def test_bonus_service_is_not_published(inspect, bonus, service):
    assert not published(inspect(bonus(service)))


# --- redis -------------------------------------------------------------------

def redis_cli(host, name, *args, auth=True):
    prefix = "REDISCLI_AUTH=$(cat /run/secrets/redis_password) " if auth else ""
    return host.run(f"docker exec {name} sh -c '{prefix}redis-cli -h 127.0.0.1 {' '.join(args)}'")


def test_redis_requires_its_password_and_keeps_nothing_on_disk(host, inspect, bonus):
    name = bonus("redis")
    assert "NOAUTH" in redis_cli(host, name, "ping", auth=False).stdout
    assert redis_cli(host, name, "ping").stdout.strip() == "PONG"
    persistence = redis_cli(host, name, "info", "persistence").stdout
    assert "aof_enabled:0" in persistence
    assert host.check_output(f"docker exec {name} grep -x 'save \"\"' /usr/local/etc/redis.conf")
    assert [m["Type"] for m in inspect(name)["Mounts"]] == ["bind"]  # the secret, read-only
    assert all(not m["RW"] for m in inspect(name)["Mounts"])


def test_wordpress_uses_redis_while_pages_are_served(host, stack, bonus):
    name = bonus("redis")

    def hits():
        info = redis_cli(host, name, "info", "stats").stdout
        return int(re.search(r"keyspace_hits:(\d+)", info).group(1))

    assert php(host, stack, "echo wp_using_ext_object_cache() ? 'redis' : 'none';") == "redis"
    before = hits()
    # A query string: the page cache would answer without PHP.
    for n in range(3):
        assert curl(host, stack, f"/?redis-probe={n}", "--output /dev/null --write-out '%{http_code}'").stdout == "200"
    assert hits() > before
    keys = redis_cli(host, name, "--scan", "--pattern", f"'{stack['prefix']}wp:*'").stdout.split()
    assert any(":options:" in k for k in keys), keys[:20]


def test_the_object_cache_returns_what_was_written_last(host, stack, bonus):
    bonus("redis")
    token = str(time.time_ns())
    # Write in one PHP process, read in others: through Redis, not the request's memory.
    php(host, stack, f"wp_cache_set('probe', ['v' => '{token}', 'f' => false], 'inception');"
                     f" update_option('inception_probe', '{token}');")
    assert json.loads(php(host, stack, "echo json_encode(wp_cache_get('probe', 'inception'));")) == \
        {"v": token, "f": False}
    assert php(host, stack, "echo get_option('inception_probe');") == token
    php(host, stack, "update_option('inception_probe', 'changed-' . get_option('inception_probe'));")
    assert php(host, stack, "echo get_option('inception_probe');") == f"changed-{token}"
    php(host, stack, "wp_cache_delete('probe', 'inception'); delete_option('inception_probe');")
    assert php(host, stack, "var_export(wp_cache_get('probe', 'inception', false, $found)); var_export($found);") \
        == "falsefalse"
    assert php(host, stack, "var_export(get_option('inception_probe'));") == "false"
    # A new post shows on the next page view: the cache never serves a stale home page.
    php(host, stack, f"wp_insert_post(['post_title' => 'Cached {token}', 'post_status' => 'publish']);")
    assert f"Cached {token}" in curl(host, stack, "/").stdout


# --- ftp ---------------------------------------------------------------------

def ftp_url(stack, path=""):
    port = stack["vars"].get("ftp_port", 21)
    return f"ftp://{stack['domain']}:{port}/{path}"


def test_ftp_publishes_only_its_control_port_and_passive_range(inspect, bonus, stack):
    ports = published(inspect(bonus("ftp")))
    low, high = int(stack["vars"]["ftp_passive_min_port"]), int(stack["vars"]["ftp_passive_max_port"])
    assert set(ports) == {"21/tcp"} | {f"{p}/tcp" for p in range(low, high + 1)}


def test_plain_ftp_is_refused(host, stack, bonus):
    bonus("ftp")
    user, password = stack["vars"]["ftp_user"], stack["secrets"]["ftp_password"]
    for _unused in range(3):  # a reply lost to a busy machine is not a refusal: ask again
        result = host.run(f"curl --silent --show-error --max-time 20 --user {user}:{password} {ftp_url(stack)}")
        if "530" in result.stderr:
            break
        time.sleep(1)
    assert result.rc == 67, result.stderr  # curl: access denied
    assert "530" in result.stderr, result.stderr


def test_a_file_uploaded_by_ftps_is_served_by_nginx(host, stack, bonus, tmp_path):
    bonus("ftp")
    user, password = stack["vars"]["ftp_user"], stack["secrets"]["ftp_password"]
    name = f"ftp-probe-{time.time_ns()}.txt"
    payload = f"uploaded over explicit TLS {time.time_ns()}\n"
    host.check_output(f"printf '%s' '{payload}' > /tmp/{name}")
    try:
        upload = host.run(
            f"curl --silent --show-error --max-time 30 --ssl-reqd --cacert {stack['cert']} "
            f"--user {user}:{password} --upload-file /tmp/{name} {ftp_url(stack, 'wp-content/uploads/' + name)}")
        assert upload.rc == 0, upload.stderr
        served = curl(host, stack, f"/wp-content/uploads/{name}")
        assert served.stdout == payload
        owner = host.file(f"{stack['data_dir']}/wordpress/wp-content/uploads/{name}")
        # www-data (33) in the container, as the engine maps it on the host.
        assert (owner.uid, owner.gid) == (stack["userns"]["uid"] + 33, stack["userns"]["gid"] + 33)
        listing = host.run(f"curl --silent --max-time 30 --ssl-reqd --cacert {stack['cert']} "
                           f"--user {user}:{password} --list-only {ftp_url(stack)}")
        assert "wp-content" in listing.stdout.split() and "wp-config.php" in listing.stdout.split()
        # Chrooted: / is the site, nothing above it.
        escape = host.run(f"curl --silent --max-time 30 --ssl-reqd --cacert {stack['cert']} "
                          f"--user {user}:{password} {ftp_url(stack, '../../etc/passwd')}")
        assert "root:" not in escape.stdout
    finally:
        host.run(f"rm -f /tmp/{name} {stack['data_dir']}/wordpress/wp-content/uploads/{name}")


# --- static site -------------------------------------------------------------

def test_static_site_is_served_through_nginx(host, stack, bonus):
    bonus("static_site")
    path = stack["vars"].get("inception_static_site_path", "/site/")
    page = curl(host, stack, path, "--dump-header -")
    assert page.stdout.startswith("HTTP/2 200") or " 200" in page.stdout.splitlines()[0]
    assert "built from Markdown" in page.stdout
    assert "strict-transport-security" in page.stdout.lower()
    assert "x-powered-by" not in page.stdout.lower()
    stack_page = curl(host, stack, f"{path}stack.html", "--write-out '\n%{http_code}'").stdout
    assert stack_page.endswith("\n200") and "<table>" in stack_page
    assert curl(host, stack, path.rstrip("/"), "--output /dev/null --write-out '%{http_code}'").stdout == "301"


def test_static_site_runs_as_nobody_without_capabilities(host, inspect, bonus):
    container = inspect(bonus("static_site"))
    assert container["Config"]["User"] == "65534:65534"
    assert not container["HostConfig"]["CapAdd"]


# --- adminer -----------------------------------------------------------------

def test_adminer_logs_in_to_mariadb_through_nginx(host, stack, bonus):
    bonus("adminer")
    path = stack["vars"].get("inception_adminer_path", "/adminer/")
    jar = f"/tmp/adminer-cookies-{time.time_ns()}"
    try:
        form = curl(host, stack, path, f"--cookie-jar {jar}").stdout
        assert "auth[username]" in form
        password = stack["secrets"]["wordpress_db_password"]
        result = curl(host, stack, path, f"--cookie {jar} --cookie-jar {jar} --location",
                      "--data-urlencode auth[driver]=server --data-urlencode auth[server]=mariadb",
                      "--data-urlencode auth[username]=wordpress",
                      f"--data-urlencode auth[password]={password} --data-urlencode auth[db]=wordpress")
        assert result.rc == 0, result.stderr
        assert "wp_posts" in result.stdout and "wp_users" in result.stdout
        wrong = curl(host, stack, path, "--location --data-urlencode auth[driver]=server",
                     "--data-urlencode auth[server]=mariadb --data-urlencode auth[username]=wordpress",
                     "--data-urlencode auth[password]=not-the-password").stdout
        assert "wp_posts" not in wrong
    finally:
        host.run(f"rm -f {jar}")


# --- scheduled backups -------------------------------------------------------

def test_scheduled_backup_writes_a_checked_backup_without_secrets(host, stack, bonus):
    name = bonus("backup_cron")
    schedule = stack["vars"].get("backup_cron_schedule", "17 3 * * *")
    assert schedule in host.check_output(f"docker exec {name} cat /etc/cron.d/inception-backup")
    out = host.check_output(f"docker exec {name} /usr/local/bin/inception-backup")
    backup = re.search(r"(backup-\d{8}T\d{6}Z) written", out).group(1)
    directory = f"{stack['data_dir']}/backups/{backup}"
    assert host.run(f"cd {directory} && sha256sum --check --strict SHA256SUMS").rc == 0
    assert host.file(directory).mode == 0o700
    dump = host.check_output(f"zcat {directory}/database.sql.gz | grep -c 'INSERT INTO `wp_posts`'")
    assert int(dump) >= 1
    listing = host.check_output(f"tar -tzf {directory}/site-files.tar.gz")
    assert "./wp-content/" in listing and "wp-config.php" not in listing
    for secret_name, value in stack["secrets"].items():
        found = host.run(f"zcat {directory}/database.sql.gz | grep -cF -- '{value}'").stdout.strip()
        assert found == "0", f"{secret_name} is in the scheduled backup"
    host.check_output(f"rm -rf {directory}")
