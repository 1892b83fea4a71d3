"""The page cache: anonymous visitors get static files nginx serves without
PHP, and never a stale page: a new post, an edit or an approved comment shows
on the next request; logged-in users, POSTs and query strings reach PHP."""
import time

import pytest

from conftest import curl, php

MARK = "<!-- inception page cache:"


def page(host, stack, path, *args):
    result = curl(host, stack, path, "--write-out '\n%{http_code}'", *args)
    body, _unused, code = result.stdout.rpartition("\n")
    assert code == "200", f"{path}: HTTP {code}"
    return body


def cached(host, stack, path):
    """Ask twice: the first answer writes the page, the second is the file."""
    page(host, stack, path)
    body = page(host, stack, path)
    assert MARK in body, f"{path} was not served from the page cache"
    return body


@pytest.fixture()
def post(host, stack):
    token = time.time_ns()
    post_id = php(host, stack, f"echo wp_insert_post(['post_title' => 'Cache probe {token}', "
                               "'post_status' => 'publish', 'post_content' => 'probe'], true);")
    path = php(host, stack, f"echo wp_make_link_relative(get_permalink({post_id}));")
    yield {"id": post_id, "path": path, "token": token}
    php(host, stack, f"wp_delete_post({post_id}, true);")


def test_anonymous_pages_come_from_the_cache(host, stack, post):
    assert post["path"].endswith("/")
    body = cached(host, stack, post["path"])
    assert f"Cache probe {post['token']}" in body
    cached(host, stack, "/")


def test_a_new_post_shows_on_the_next_request(host, stack):
    cached(host, stack, "/")
    title = f"Fresh post {time.time_ns()}"
    post_id = php(host, stack, f"echo wp_insert_post(['post_title' => '{title}', 'post_status' => 'publish'], true);")
    try:
        assert title in page(host, stack, "/")
    finally:
        php(host, stack, f"wp_delete_post({post_id}, true);")
    assert title not in page(host, stack, "/")


def test_an_edit_shows_on_the_next_request(host, stack, post):
    cached(host, stack, post["path"])
    php(host, stack, f"wp_update_post(['ID' => {post['id']}, 'post_content' => 'edited {post['token']}']);")
    assert f"edited {post['token']}" in page(host, stack, post["path"])


def test_an_approved_comment_shows_on_the_next_request(host, stack, post):
    text = f"A comment waiting for approval {post['token']}"
    comment = php(host, stack, f"echo wp_insert_comment(['comment_post_ID' => {post['id']}, "
                               f"'comment_author' => 'Reader', 'comment_content' => '{text}', 'comment_approved' => 0]);")
    assert text not in cached(host, stack, post["path"])
    php(host, stack, f"wp_set_comment_status({comment}, 'approve');")
    assert text in page(host, stack, post["path"])


def test_logged_in_users_posts_and_query_strings_reach_php(host, stack, post):
    cached(host, stack, post["path"])
    jar = f"/tmp/page-cache-cookies-{time.time_ns()}"
    try:
        login = curl(host, stack, "/wp-login.php", f"--cookie-jar {jar}",
                     "--cookie wordpress_test_cookie=WP%20Cookie%20check",
                     f"--data-urlencode log={stack['admin_user']}",
                     f"--data-urlencode pwd={stack['secrets']['wordpress_admin_password']}",
                     "--output /dev/null --write-out '%{http_code}'")
        assert login.stdout == "302"
        logged_in = page(host, stack, post["path"], f"--cookie {jar}")
        assert MARK not in logged_in and "wpadminbar" in logged_in
        # What a logged-in user got is never what a visitor gets.
        assert "wpadminbar" not in page(host, stack, post["path"])
    finally:
        host.run(f"rm -f {jar}")
    assert MARK not in page(host, stack, f"{post['path']}?utm=1")
    posted = curl(host, stack, post["path"], "--data x=1").stdout
    assert MARK not in posted
