"""Fast checks of the rendered Dockerfiles, configurations and entrypoints."""
import re
import subprocess
import sys

import pytest
import yaml

from conftest import ROLES, SAMPLE, SERVICE_ROLES, render, resolve

SERVICES = SERVICE_ROLES


def all_templates():
    for role in SERVICES:
        for path in sorted((ROLES / role / "templates").glob("*.j2")):
            yield role, path.name


@pytest.mark.parametrize("role", SERVICES)
def test_dockerfile_builds_from_pinned_bookworm(role):
    dockerfile = render(role, "Dockerfile.j2")
    froms = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
    # static_site builds its pages in a first stage of the same base.
    assert set(froms) == {"debian:bookworm"}
    assert "latest" not in dockerfile


@pytest.mark.parametrize("role", SERVICES)
def test_dockerfile_keeps_no_apt_lists_in_layers(role):
    dockerfile = render(role, "Dockerfile.j2")
    installs = [run for run in re.findall(r"^RUN .*?(?<!\\)$", dockerfile, re.M | re.S)
                if "apt-get install" in run]
    assert installs
    for run in installs:
        assert "rm -rf /var/lib/apt/lists/*" in run


@pytest.mark.parametrize("role,template", list(all_templates()))
def test_no_secret_is_rendered_into_a_build_context(role, template):
    text = render(role, template)
    for name, value in SAMPLE.items():
        if name.endswith("_password"):
            assert value not in text, f"{name} rendered into {role}/{template}"


@pytest.mark.parametrize("role,template", list(all_templates()))
def test_templates_say_they_are_managed(role, template):
    if template.endswith(".control.j2") or template in ("style.css.j2", "page.html.j2", "index.md.j2", "stack.md.j2"):
        pytest.skip("Debian control files, and the static site's content, carry no comment")
    assert "Ansible managed" in render(role, template)


@pytest.mark.parametrize("role,template,daemon", [
    ("mariadb", "entrypoint.sh.j2", 'exec "$@" --init-file='),
    ("wordpress", "entrypoint.sh.j2", 'exec "$@"'),
    ("redis", "entrypoint.sh.j2", 'exec setpriv'),
    ("ftp", "entrypoint.sh.j2", 'exec "$@"'),
])
def test_entrypoints_exec_the_daemon(role, template, daemon):
    script = render(role, template)
    assert script.startswith("#!/bin/sh")
    assert daemon in script.strip().splitlines()[-1]
    for forbidden in ("tail -f", "sleep infinity", "while true"):
        assert forbidden not in script


@pytest.mark.parametrize("role,template", [(r, t) for r, t in all_templates() if t.endswith(".sh.j2")])
def test_shell_scripts_parse(tmp_path, role, template):
    script = tmp_path / template
    script.write_text(render(role, template))
    subprocess.run(["sh", "-n", str(script)], check=True)


def test_dockerfile_cmds_start_the_daemon_in_the_foreground():
    assert 'CMD ["mariadbd"]' in render("mariadb", "Dockerfile.j2")
    assert 'CMD ["php-fpm8.2", "--nodaemonize"]' in render("wordpress", "Dockerfile.j2")
    assert 'CMD ["nginx", "-g", "daemon off;"]' in render("nginx_tls", "Dockerfile.j2")


# --- nginx -------------------------------------------------------------------

def test_nginx_allows_only_tls_1_2_and_1_3():
    conf = render("nginx_tls", "nginx.conf.j2")
    assert re.findall(r"ssl_protocols ([^;]*);", conf) == ["TLSv1.2 TLSv1.3"]
    assert "TLSv1 " not in conf and "TLSv1.1" not in conf


def test_nginx_protocols_follow_the_variable():
    conf = render("nginx_tls", "nginx.conf.j2", nginx_tls_protocols=["TLSv1.3"])
    assert re.findall(r"ssl_protocols ([^;]*);", conf) == ["TLSv1.3"]


def test_nginx_listens_on_443_only():
    conf = render("nginx_tls", "nginx.conf.j2")
    assert set(re.findall(r"listen\s+([^;]*);", conf)) == {"443 ssl default_server", "443 ssl http2"}


def test_nginx_serves_the_domain_and_rejects_other_names():
    conf = render("nginx_tls", "nginx.conf.j2")
    assert "include /etc/nginx/host/site.conf;" in conf
    assert "ssl_reject_handshake on;" in conf
    site = render("nginx_tls", "site.conf.j2")
    assert "server_name jdoe.42.fr;" in site
    assert "ssl_certificate /etc/nginx/tls/jdoe.42.fr.crt;" in site
    assert "ssl_certificate_key /etc/nginx/tls/jdoe.42.fr.key;" in site


def test_nginx_image_is_the_same_for_every_host_of_a_fleet():
    """What names a host is in its own mounted files: two hosts of different
    domains, ports and registries render the same nginx.conf, so the same image."""
    one = render("nginx_tls", "nginx.conf.j2", inception_login="alice", inception_registry_enabled=True)
    other = render("nginx_tls", "nginx.conf.j2", inception_login="bob", inception_https_port=44300)
    assert one == other
    assert "alice" not in one and "jdoe" not in one
    assert render("nginx_tls", "healthcheck.sh.j2", inception_login="alice") == render("nginx_tls", "healthcheck.sh.j2")


def test_nginx_passes_php_to_wordpress_9000():
    conf = render("nginx_tls", "nginx.conf.j2")
    assert "set $php_upstream wordpress:9000;" in conf
    assert "fastcgi_pass $php_upstream;" in conf
    assert "fastcgi_param HTTPS on;" in conf


@pytest.mark.parametrize("port,host", [(443, "jdoe.42.fr"), (44300, "jdoe.42.fr:44300")])
def test_nginx_gives_wordpress_the_public_host_and_port(port, host):
    conf = render("nginx_tls", "nginx.conf.j2", inception_https_port=port)
    assert conf.count("fastcgi_param HTTP_HOST $inception_host;") == 1
    assert f'set $inception_host "{host}";' in render("nginx_tls", "site.conf.j2", inception_https_port=port)


def test_nginx_refuses_config_and_php_in_uploads():
    conf = render("nginx_tls", "nginx.conf.j2")
    assert "location ~ ^/(wp-config|wp-salts)\\.php$" in conf
    assert "location ~* ^/wp-content/uploads/.*\\.php$" in conf


def test_nginx_healthcheck_uses_the_domain_as_sni():
    script = render("nginx_tls", "healthcheck.sh.j2")
    assert '--resolve "${INCEPTION_DOMAIN}:443:127.0.0.1"' in script
    assert resolve("nginx_tls", "{{ nginx_tls_service.env }}")["INCEPTION_DOMAIN"] == "jdoe.42.fr"


# --- mariadb -----------------------------------------------------------------

def test_mariadb_listens_on_the_network_not_loopback():
    cnf = render("mariadb", "60-inception.cnf.j2")
    assert re.search(r"^bind-address\s*=\s*0\.0\.0\.0$", cnf, re.M)
    assert re.search(r"^skip-name-resolve$", cnf, re.M)


def test_mariadb_pins_the_mysql_uid():
    dockerfile = render("mariadb", "Dockerfile.j2", mariadb_uid=4242)
    assert "--gid 4242 mysql" in dockerfile and "--uid 4242" in dockerfile


def test_mariadb_entrypoint_locks_down_root():
    script = render("mariadb", "entrypoint.sh.j2")
    assert "--auth-root-authentication-method=socket" in script
    assert "User = 'root' AND Host <> 'localhost'" in script
    assert "IDENTIFIED VIA unix_socket" in script


@pytest.mark.parametrize("raw,escaped", [
    ("plain", "plain"),
    ("it's", "it\\'s"),
    ("back\\slash", "back\\\\slash"),
    ("'; DROP DATABASE x; --", "\\'; DROP DATABASE x; --"),
])
def test_mariadb_entrypoint_escapes_passwords_for_sql(raw, escaped):
    script = render("mariadb", "entrypoint.sh.j2")
    function = re.search(r"^sql_string\(\) \{.*?^\}", script, re.M | re.S).group(0)
    out = subprocess.run(["sh", "-c", f'{function}\nsql_string "$1"', "sh", raw],
                         check=True, capture_output=True, text=True).stdout
    assert out == escaped


# --- wordpress ---------------------------------------------------------------

def test_wordpress_image_has_no_web_server():
    dockerfile = render("wordpress", "Dockerfile.j2")
    assert "nginx" not in re.sub(r"#.*", "", dockerfile)
    assert "apache2" not in dockerfile
    control = render("wordpress", "httpd-provider.control.j2")
    assert re.search(r"^Provides: httpd, virtual-mysql-client$", control, re.M)


def test_php_fpm_runs_in_the_foreground_on_9000():
    assert "daemonize = no" in render("wordpress", "php-fpm.conf.j2")
    pool = render("wordpress", "www.conf.j2")
    assert re.search(r"^listen = 9000$", pool, re.M)
    assert re.search(r"^user = www-data$", pool, re.M)
    assert re.search(r"^clear_env = yes$", pool, re.M)


def test_php_fpm_starts_workers_on_demand_and_lets_the_health_check_end_them():
    pool = render("wordpress", "www.conf.j2")
    assert re.search(r"^pm = ondemand$", pool, re.M)
    timeout = int(re.search(r"^pm.process_idle_timeout = (\d+)s$", pool, re.M).group(1))
    # A worker answers the health check's ping every 5 s: it must be able to end between two.
    assert timeout < 4
    assert "pm.start_servers" not in pool
    dynamic = render("wordpress", "www.conf.j2", wordpress_fpm_pm="dynamic")
    assert re.search(r"^pm.start_servers = 2$", dynamic, re.M) and "process_idle_timeout" not in dynamic
    stock = render("wordpress", "www.conf.j2", inception_tuning=False)
    assert re.search(r"^pm = dynamic$", stock, re.M) and re.search(r"^pm.max_children = 5$", stock, re.M)


@pytest.mark.parametrize("overrides,store", [
    ({}, "apcu"),
    ({"inception_tuning": False}, "off"),
    ({"inception_redis_enabled": True}, "redis"),
    ({"inception_redis_enabled": True, "inception_tuning": False}, "redis"),
])
def test_the_object_cache_store_follows_tuning_and_the_redis_bonus(overrides, store):
    assert resolve("wordpress", "{{ wordpress_service.env.WORDPRESS_OBJECT_CACHE }}", **overrides) == store
    ini = render("wordpress", "opcache.ini.j2", **overrides)
    assert re.search(r"^apc.enabled = %d$" % (store == "apcu"), ini, re.M)
    if store == "apcu":
        assert re.search(r"^apc.shm_size = 32M$", ini, re.M)


def test_wordpress_gets_redis_and_its_password_only_when_its_object_cache_is_redis():
    for overrides, redis in (({"inception_redis_enabled": True}, True),
                             ({"inception_redis_enabled": True, "wordpress_object_cache": "apcu"}, False),
                             ({}, False)):
        env = resolve("wordpress", "{{ wordpress_service.env }}", **overrides)
        secrets = resolve("wordpress", "{{ wordpress_service.secrets }}", **overrides)
        assert ("WORDPRESS_REDIS_HOST" in env) == redis and ("redis_password" in secrets) == redis, overrides


def test_the_object_cache_and_the_opcache_jit_only_with_tuning():
    tuned, stock = render("wordpress", "opcache.ini.j2"), render("wordpress", "opcache.ini.j2", inception_tuning=False)
    assert re.search(r"^opcache.jit = tracing$", tuned, re.M) and "opcache.jit" not in stock
    assert "php8.2-apcu" in render("wordpress", "Dockerfile.j2")


def test_mariadb_is_sized_for_a_small_site_and_the_variables_scale_it():
    conf = render("mariadb", "60-inception.cnf.j2")
    for setting, value in (("innodb_buffer_pool_size", "32M"), ("innodb_log_buffer_size", "2M"),
                           ("aria_pagecache_buffer_size", "8M"), ("key_buffer_size", "1M")):
        assert re.search(rf"^{setting}\s+= {value}$", conf, re.M), setting
    bigger = render("mariadb", "60-inception.cnf.j2", mariadb_innodb_buffer_pool_size="1G")
    assert re.search(r"^innodb_buffer_pool_size = 1G$", bigger, re.M)


def test_wp_setup_reads_secrets_from_files_and_disables_file_edit():
    php = render("wordpress", "wp-setup.php.j2")
    for variable in ("WORDPRESS_DB_PASSWORD_FILE", "WORDPRESS_ADMIN_PASSWORD_FILE",
                     "WORDPRESS_USER_PASSWORD_FILE"):
        assert f"secret('{variable}')" in php
    assert "'DISALLOW_FILE_EDIT' => true" in php
    assert "wp_install(" in php


@pytest.mark.parametrize("port,url", [(443, "https://jdoe.42.fr"), (8443, "https://jdoe.42.fr:8443")])
def test_wordpress_url_includes_port_only_when_not_443(port, url):
    assert resolve("wordpress", "{{ wordpress_service.env.WORDPRESS_URL }}", inception_https_port=port) == url


def test_redis_keeps_nothing_on_disk_and_hides_admin_commands():
    conf = render("redis", "redis.conf.j2")
    assert 'save ""' in conf.splitlines() and "appendonly no" in conf.splitlines()
    assert 'rename-command CONFIG ""' in conf and "requirepass" not in conf  # added at start from the secret


def test_vsftpd_requires_tls_for_logins_and_data_and_chroots():
    conf = dict(line.split("=", 1) for line in render("ftp", "vsftpd.conf.j2").splitlines()
                if "=" in line and not line.startswith("#"))
    for option in ("ssl_enable", "force_local_logins_ssl", "force_local_data_ssl", "chroot_local_user"):
        assert conf[option] == "YES"
    assert conf["anonymous_enable"] == "NO" and conf["ssl_sslv3"] == "NO"
    assert conf["local_root"] == "/var/www/html" and conf["guest_username"] == "www-data"


@pytest.mark.parametrize("enabled", [True, False])
def test_nginx_routes_to_bonus_services_only_when_they_are_on(enabled):
    conf = render("nginx_tls", "nginx.conf.j2", inception_bonus=enabled,
                  inception_static_site_enabled=enabled, inception_adminer_enabled=enabled)
    assert ("static_site:8080" in conf) is enabled
    assert ("adminer:9000" in conf) is enabled
    if enabled:
        assert "location ^~ /site/" in conf and "location ^~ /adminer/" in conf


def test_nginx_serves_the_registry_under_its_own_name_from_a_file_of_its_host():
    conf = render("nginx_tls", "nginx.conf.j2", inception_registry_enabled=True)
    assert "include /etc/nginx/host/servers/*.conf;" in conf and "registry:5000" not in conf
    block = render("nginx_tls", "registry.conf.j2")
    assert "server_name registry.jdoe.42.fr;" in block and "registry:5000" in block
    assert "ssl_certificate /etc/nginx/tls/jdoe.42.fr.crt;" in block
    # Its API alone, layers of any size streamed through, on the one TLS port.
    assert "location /v2/" in block and "return 404;" in block
    assert "client_max_body_size 0;" in block and "proxy_request_buffering off;" in block
    assert re.findall(r"listen\s+([^;]*);", block) == ["443 ssl http2"]


def test_the_registry_reads_its_password_file_and_answers_under_its_name():
    config = yaml.safe_load(render("registry", "config.yml.j2"))
    assert config["auth"]["htpasswd"]["path"] == "/run/secrets/registry_htpasswd"
    assert config["http"]["host"] == "https://registry.jdoe.42.fr"
    assert config["storage"]["filesystem"]["rootdirectory"] == "/var/lib/docker-registry"
    assert config["storage"]["delete"]["enabled"] is False


def test_static_site_build_script_turns_markdown_into_pages(tmp_path):
    markdown = pytest.importorskip("markdown")
    del markdown
    source = tmp_path / "src"
    (source / "content").mkdir(parents=True)
    for template, dest in [("build.py.j2", "build.py"), ("page.html.j2", "page.html"),
                           ("style.css.j2", "style.css"), ("index.md.j2", "content/index.md"),
                           ("stack.md.j2", "content/stack.md")]:
        (source / dest).write_text(render("static_site", template))
    result = subprocess.run([sys.executable, str(source / "build.py"), str(source), str(tmp_path / "out")],
                            check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "out" / "index.html").read_text()
    assert "<h1>jdoe's Inception</h1>" in index and "<title>" in index
    assert "<table>" in (tmp_path / "out" / "stack.html").read_text()


@pytest.mark.parametrize("enabled", [True, False])
def test_nginx_serves_the_page_cache_only_when_it_is_on(enabled):
    conf = render("nginx_tls", "nginx.conf.j2", inception_page_cache=enabled)
    assert ("try_files $page_cache $uri" in conf) is enabled
    if enabled:
        # Never for a POST, a query string or a WordPress cookie.
        for guard in ("$request_method != GET", "if ($args)", "wordpress_logged_in_"):
            assert guard in conf


def test_wordpress_gets_the_page_cache_switch():
    assert resolve("wordpress", "{{ wordpress_service.env.WORDPRESS_PAGE_CACHE }}") == "1"
    assert resolve("wordpress", "{{ wordpress_service.env.WORDPRESS_PAGE_CACHE }}", inception_page_cache=False) == "0"
