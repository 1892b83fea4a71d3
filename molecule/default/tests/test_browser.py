"""The site as a person uses it, in a real browser: Playwright driving Debian's
Chromium against https://<domain> on the real TLS endpoint. The domain is
resolved to 127.0.0.1 by Chromium's host-resolver rules and only the stack's
own certificate is accepted (by its public key). Every step leaves a
screenshot in results/browser/.

Default scenario only: the browser runs on this controller.
"""
import base64
import hashlib
import shutil
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import RESULTS, SCENARIO

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="the browser runs on this controller")
CHROMIUM = "/usr/bin/chromium"
SHOTS = RESULTS / "browser"


@pytest.fixture(scope="module")
def browser(stack):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    cert = x509.load_pem_x509_certificate(open(stack["cert"], "rb").read())
    spki = base64.b64encode(hashlib.sha256(cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).digest()).decode()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            f"--host-resolver-rules=MAP {stack['domain']} 127.0.0.1, EXCLUDE localhost",
            f"--ignore-certificate-errors-spki-list={spki}",
        ])
        yield chromium
        chromium.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30000)
    return context.new_page()


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def log_in(browser, stack, user, password):
    page = new_page(browser)
    page.goto(f"{stack['url']}/wp-login.php")
    page.fill("#user_login", user)
    page.fill("#user_pass", password)
    page.click("#wp-submit")
    return page


def into_wp_admin(page, who):
    """Wait until a login lands in wp-admin; one that does not fails with
    where the page is and WordPress's own message, and leaves its screenshot."""
    from playwright.sync_api import TimeoutError as Timeout  # the browser fixture made sure it is there
    try:
        page.wait_for_url("**/wp-admin/**")
    except Timeout:
        shot(page, f"login-of-{who}-not-in-wp-admin")
        error = page.locator("#login_error")
        said = error.first.inner_text().strip() if error.count() else "no login error on the page"
        pytest.fail(f"the {who}'s login did not reach wp-admin within the timeout: at {page.url}, {said}")


def test_a_person_uses_the_site_in_a_browser(browser, stack):
    token = time.strftime("%H%M%S")
    post_title = f"Written in a browser {token}"
    page_title = f"About this stack {token}"

    # 1. The home page shows the site, not the installer.
    visitor = new_page(browser)
    visitor.goto(f"{stack['url']}/")
    assert stack["title"] in visitor.title()
    assert "install.php" not in visitor.url
    shot(visitor, "01-home")

    # 2. A wrong password is refused.
    wrong = log_in(browser, stack, stack["admin_user"], "not-the-password")
    wrong.wait_for_selector("#login_error")
    assert "/wp-login.php" in wrong.url
    shot(wrong, "02-wrong-password-refused")

    # 3. The administrator logs in to wp-admin.
    admin = log_in(browser, stack, stack["admin_user"], stack["secrets"]["wordpress_admin_password"])
    into_wp_admin(admin, "administrator")
    admin.wait_for_selector("#wpadminbar")
    shot(admin, "03-dashboard")

    # 4. ... edits a page (Quick Edit of the pages list) ...
    admin.goto(f"{stack['url']}/wp-admin/edit.php?post_type=page&post_status=publish")
    row = admin.locator("#the-list tr.status-publish").first
    row.hover()
    row.locator("button.editinline").click()
    editor = admin.locator("tr.inline-edit-row:visible")
    editor.locator("input[name=post_title]").fill(page_title)
    editor.locator("button.save").click()
    admin.wait_for_selector(f"#the-list a.row-title:has-text('{page_title}')")
    shot(admin, "04-page-edited")

    # 5. ... and publishes a post (Quick Draft, then Quick Edit to Published).
    admin.goto(f"{stack['url']}/wp-admin/index.php")
    admin.fill("#title", post_title)
    admin.fill("#content", "Published through wp-admin by the administrator, in Chromium.")
    admin.click("#save-post")
    # The widget saves through AJAX and lists the new draft.
    admin.locator("#dashboard_quick_press .drafts").get_by_text(post_title).wait_for()
    admin.goto(f"{stack['url']}/wp-admin/edit.php?post_status=draft&post_type=post")
    row = admin.locator("#the-list tr", has_text=post_title).first
    row.hover()
    row.locator("button.editinline").click()
    editor = admin.locator("tr.inline-edit-row:visible")
    editor.locator("select[name=_status]").select_option("publish")
    editor.locator("button.save").click()
    admin.wait_for_selector(f"#the-list tr:has-text('{post_title}') >> text=Published", state="attached")
    shot(admin, "05-post-published")

    # 6. The logged-out front page shows the post and the edited page.
    visitor.goto(f"{stack['url']}/")
    assert visitor.locator(f"text={post_title}").first.is_visible()
    assert page_title in visitor.content()  # the edited page, in the site's navigation
    shot(visitor, "06-front-page-shows-the-post")
    visitor.click(f"text={post_title}")
    post_url = visitor.url
    assert "Published through wp-admin" in visitor.content()

    # 7. The administrator has every comment held for moderation (Settings,
    # Discussion); the second user logs in and leaves one.
    admin.goto(f"{stack['url']}/wp-admin/options-discussion.php")
    admin.check("#comment_moderation")
    admin.click("#submit")
    admin.wait_for_selector("#setting-error-settings_updated")
    comment = f"A comment from the second user {token}"
    writer = log_in(browser, stack, stack["user"], stack["secrets"]["wordpress_user_password"])
    into_wp_admin(writer, "second user")
    writer.goto(post_url)
    writer.fill("#comment", comment)
    writer.click("#submit")
    writer.wait_for_load_state()
    assert comment in writer.content() and "awaiting moderation" in writer.content()
    writer.get_by_text(comment).first.scroll_into_view_if_needed()
    shot(writer, "07-comment-awaiting-moderation")
    visitor.goto(post_url)
    assert comment not in visitor.content()

    # 8. The administrator approves it; a visitor then sees it.
    admin.goto(f"{stack['url']}/wp-admin/edit-comments.php?comment_status=moderated")
    row = admin.locator("#the-comment-list tr", has_text=comment).first
    row.hover()
    row.locator("span.approve a").click()
    # Approved, it leaves the list of comments waiting for moderation.
    row.wait_for(state="hidden")
    shot(admin, "08-comment-approved")
    visitor.goto(post_url)
    assert comment in visitor.content()
    visitor.get_by_text(comment).first.scroll_into_view_if_needed()
    shot(visitor, "09-visitor-sees-the-comment")
