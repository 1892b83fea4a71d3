"""WordPress's persistent object cache without the Redis bonus: APCu, in
php-fpm's shared memory (fresh_vm; the default scenario runs Redis, tested in
test_bonus). Requests go through php-fpm itself, as nginx sends them; PHP on
the command line (wp-setup.php, `docker exec php`) has no APCu and ends
php-fpm's cache generation when it writes."""
import base64
import json
import time

import pytest

from conftest import curl, php


@pytest.fixture()
def apcu(stack):
    if stack["object_cache"] != "apcu":
        pytest.skip(f"this stack's object cache is {stack['object_cache']}")
    return stack


def fpm(host, stack, code):
    """Run PHP with WordPress loaded in a php-fpm worker: a FastCGI request
    from inside the container, as the health check makes, of a script in the
    container's /tmp (not the site's files)."""
    script = base64.b64encode(f"<?php require '/var/www/html/wp-load.php'; {code}".encode()).decode()
    name = f"/tmp/object-cache-probe-{time.time_ns()}.php"
    output = host.check_output(
        f"echo {script} | base64 -d | docker exec -i {stack['prefix']}wordpress sh -c "
        f"'cat > {name} && chmod 0644 {name} && SCRIPT_NAME=/probe.php SCRIPT_FILENAME={name} REQUEST_METHOD=GET "
        f"HTTPS=on HTTP_HOST={stack['domain']} cgi-fcgi -bind -connect 127.0.0.1:9000; rm -f {name}'")
    # The FastCGI answer: headers, a blank line, the body.
    return output.replace("\r\n", "\n").partition("\n\n")[2]


def test_php_fpm_keeps_wordpress_objects_in_apcu_across_requests(host, apcu):
    assert php(host, apcu, "echo INCEPTION_OBJECT_CACHE;") == "apcu"
    assert fpm(host, apcu, "echo wp_using_ext_object_cache() && apcu_enabled() ? 'apcu' : 'none';") == "apcu"
    # A query string: the page cache would answer without PHP.
    for n in range(3):
        assert curl(host, apcu, f"/?apcu-probe={n}", "--output /dev/null --write-out '%{http_code}'").stdout == "200"
    keys = json.loads(fpm(host, apcu, "echo json_encode(array_column(apcu_cache_info()['cache_list'], 'info'));"))
    assert any(":options:alloptions" in key for key in keys), keys[:20]
    # A request served from the cache asks the database nothing for the options.
    queries = fpm(host, apcu, "wp_load_alloptions(); get_option('blogname'); echo $GLOBALS['wpdb']->num_queries;")
    assert queries == "0"


def test_the_object_cache_returns_what_was_written_last(host, apcu):
    token = str(time.time_ns())
    fpm(host, apcu, f"wp_cache_set('probe', ['v' => '{token}', 'f' => false], 'inception');")
    assert json.loads(fpm(host, apcu, "echo json_encode(wp_cache_get('probe', 'inception'));")) == \
        {"v": token, "f": False}
    fpm(host, apcu, "wp_cache_delete('probe', 'inception');")
    assert fpm(host, apcu, "var_export(wp_cache_get('probe', 'inception', false, $found)); var_export($found);") \
        == "falsefalse"
    fpm(host, apcu, f"wp_cache_set('probe', '{token}', 'inception'); wp_cache_flush();")
    assert fpm(host, apcu, "var_export(wp_cache_get('probe', 'inception'));") == "false"


def test_a_change_from_the_command_line_is_seen_by_the_next_request(host, apcu):
    token = str(time.time_ns())
    php(host, apcu, f"update_option('inception_probe', 'before-{token}');")
    # php-fpm reads it, and caches it.
    assert fpm(host, apcu, "echo get_option('inception_probe');") == f"before-{token}"
    assert fpm(host, apcu, "echo get_option('inception_probe');") == f"before-{token}"
    php(host, apcu, f"update_option('inception_probe', 'after-{token}');")
    assert fpm(host, apcu, "echo get_option('inception_probe');") == f"after-{token}"
    # A post published from the command line shows on the next page view.
    php(host, apcu, f"wp_insert_post(['post_title' => 'APCu {token}', 'post_status' => 'publish']);")
    assert f"APCu {token}" in curl(host, apcu, f"/?apcu-after={token}").stdout
    php(host, apcu, "delete_option('inception_probe');")
    assert fpm(host, apcu, "var_export(get_option('inception_probe'));") == "false"
