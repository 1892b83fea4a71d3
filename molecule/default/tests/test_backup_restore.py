"""Backup and restore: content made through WordPress is backed up (and
fetched to the controller), the stack and its data are destroyed, and the
restore playbook provisions the empty host and brings back every post,
comment, user and file, byte for byte.

Default scenario only: it drives the playbooks from this controller.
"""
import gzip
import hashlib
import json
import tarfile
import time

import pytest

from conftest import EPHEMERAL, FIGURES, SCENARIO, curl, php
from playbook import run_playbook
from test_faults import sql

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbooks from this controller")
INVENTORY = EPHEMERAL / "inventory"


def content(host, stack):
    """Everything a restore must bring back, as comparable values."""
    uploads = f"{stack['data_dir']}/wordpress/wp-content/uploads"
    return {
        "posts": sql(host, stack, "SELECT ID, post_type, post_status, post_title, MD5(post_content),"
                                  " post_author FROM wp_posts WHERE post_status <> 'auto-draft' ORDER BY ID"),
        "comments": sql(host, stack, "SELECT comment_ID, comment_post_ID, comment_author, comment_content,"
                                     " comment_approved FROM wp_comments ORDER BY comment_ID"),
        "users": sql(host, stack, "SELECT ID, user_login, user_email, user_pass FROM wp_users ORDER BY ID"),
        "uploads": host.check_output(f"cd {uploads} && find . -type f -print0 | sort -z | xargs -0r sha256sum"),
    }


def playbook(name, *args):
    started = time.monotonic()
    result = run_playbook(name, INVENTORY, *args)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result.stdout, time.monotonic() - started


def test_backup_then_destroy_then_restore_brings_everything_back(host, stack, tmp_path):
    made = json.loads(php(host, stack, (
        "$post = wp_insert_post(['post_title' => 'Kept by the backup', 'post_status' => 'publish',"
        " 'post_content' => 'A post that must come back after a restore.'], true);"
        " $comment = wp_insert_comment(['comment_post_ID' => $post, 'comment_author' => 'A reader',"
        " 'comment_content' => 'A comment that must come back too.', 'comment_approved' => 1]);"
        " $upload = wp_upload_bits('backup-probe.txt', null, base64_encode(random_bytes(150000)));"
        " if ($upload['error']) { fwrite(STDERR, $upload['error']); exit(1); }"
        " wp_insert_attachment(['post_title' => 'backup probe', 'post_mime_type' => 'text/plain',"
        " 'post_status' => 'inherit'], $upload['file'], $post);"
        " echo json_encode(['post' => $post, 'comment' => $comment, 'url' => $upload['url']]);")))
    before = content(host, stack)
    assert "Kept by the backup" in before["posts"] and "backup-probe.txt" in before["uploads"]
    upload_path = made["url"].split(stack["domain"], 1)[1].split("/", 1)[1]
    upload_path = "/" + upload_path
    served_before = hashlib.sha256(host.check_output(
        f"curl --silent --fail --cacert {stack['cert']} {stack['url']}{upload_path} | base64 -w0").encode()).hexdigest()

    # Two older backups on the host: with backup_keep=2 the oldest goes.
    backups = f"{stack['data_dir']}/backups"
    host.check_output(f"rm -rf {backups}")
    for old in ("backup-20000101T000000Z", "backup-20000102T000000Z"):
        host.check_output(f"mkdir -p {backups}/{old}")
    fetched = tmp_path / "fetched"
    out, backup_took = playbook("backup.yml", "-e", f"backup_fetch_dir={fetched}", "-e", "backup_keep=2")
    names = host.check_output(f"ls {backups}").split()
    assert len(names) == 2 and names[0] == "backup-20000102T000000Z", names
    name = names[1]
    assert name in out
    on_host = f"{backups}/{name}"
    assert host.file(on_host).mode == 0o700
    assert host.run(f"cd {on_host} && sha256sum --check --strict SHA256SUMS").rc == 0
    copy = fetched / "inception-molecule" / name
    assert sorted(p.name for p in copy.iterdir()) == ["SHA256SUMS", "backup.json", "database.sql.gz", "site-files.tar.gz"]

    # Secrets are not in the backup in clear: no wp-config.php, no salts, no password.
    listing = host.check_output(f"tar -tzf {on_host}/site-files.tar.gz")
    assert "wp-config.php" not in listing and "wp-salts.php" not in listing
    assert "wp-content/uploads/" in listing
    # (The controller is this host: read the fetched copy, every byte of it.)
    everything = gzip.decompress((copy / "database.sql.gz").read_bytes())
    with tarfile.open(copy / "site-files.tar.gz") as archive:
        everything += b"".join(archive.extractfile(m).read() for m in archive.getmembers() if m.isfile())
    assert b"Kept by the backup" in everything
    for secret_name, value in stack["secrets"].items():
        assert value.encode() not in everything, f"{secret_name} is in the backup in clear"

    # Destroy everything, data included (the images stay: rebuilding them proves nothing here).
    playbook("down.yml", "-e", "inception_purge=true", "-e", "inception_purge_confirm=yes",
             "-e", "docker_host_purge_images=false")
    assert not host.file(stack["data_dir"]).exists
    assert not host.run(f"docker ps -aq --filter name=^/{stack['prefix']}").stdout.strip()

    # A damaged backup is refused before anything changes: nothing is provisioned.
    damaged = tmp_path / name
    damaged.mkdir()
    for part in copy.iterdir():
        data = part.read_bytes()
        (damaged / part.name).write_bytes(data[:-1] + b"x" if part.name == "database.sql.gz" else data)
    result = run_playbook("restore.yml", INVENTORY, "-e", f"backup_upload_from={damaged}")
    assert result.returncode != 0
    assert "database.sql.gz of backup" in result.stdout and "does not match its SHA256SUMS" in result.stdout
    assert "Deploy the Inception stack" not in result.stdout
    assert not host.file(stack["data_dir"]).exists

    # The restore provisions the empty host first, then puts the backup back.
    out, restore_took = playbook("restore.yml", "-e", f"backup_upload_from={copy}")
    assert f"Restored {name}" in out
    after = content(host, stack)
    for part in before:
        assert after[part] == before[part], f"{part} differ after the restore"
    # What a visitor sees: the post, its comment and the file, byte for byte.
    page = curl(host, stack, f"/?p={made['post']}", "--location").stdout
    assert "Kept by the backup" in page and "A comment that must come back too." in page
    served_after = hashlib.sha256(host.check_output(
        f"curl --silent --fail --cacert {stack['cert']} {stack['url']}{upload_path} | base64 -w0").encode()).hexdigest()
    assert served_after == served_before
    FIGURES[f"{SCENARIO}: backup; restore onto a host with nothing (provisions it first)"] = \
        f"{backup_took:.0f} s; {restore_took:.0f} s"
