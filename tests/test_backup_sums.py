"""plugins/modules/backup_sums.py, run by Ansible on real files: a backup's
SHA256SUMS written as sha256sum reads it, and a backup found and checked
before a restore changes anything."""
import os
import stat
import subprocess

import pytest

from conftest import run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="owners are set as root")

FILES = ["database.sql.gz", "site-files.tar.gz", "backup.json"]


def backup(directory, name):
    path = directory / name
    path.mkdir(parents=True)
    for index, file in enumerate(FILES):
        (path / file).write_bytes(b"part %d of %s\n" % (index, name.encode()))
    return path


def sums(**args):
    return run_module("fortytwo.inception.backup_sums", {"files": FILES, **args})


def test_sums_are_written_as_sha256sum_checks_them_then_left_alone(tmp_path):
    path = backup(tmp_path, "backup-20261128T213000Z.part")
    written = sums(state="written", path=str(path), owner=100000, group=100000)
    assert written["changed"] and not written.get("failed"), written
    assert subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=path,
                          capture_output=True, check=False).returncode == 0
    info = (path / "SHA256SUMS").stat()
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o600, 100000, 100000)
    assert [line.split()[1] for line in (path / "SHA256SUMS").read_text().splitlines()] == FILES
    again = sums(state="written", path=str(path), owner=100000, group=100000)
    assert not again["changed"], again


def test_check_mode_says_it_would_write_and_writes_nothing(tmp_path):
    path = backup(tmp_path, "backup-20261128T213000Z.part")
    checked = run_module("fortytwo.inception.backup_sums", {"files": FILES, "state": "written", "path": str(path)},
                         "--check")
    assert checked["changed"] and not (path / "SHA256SUMS").exists(), checked


def test_latest_is_the_newest_complete_backup_and_it_is_checked(tmp_path):
    for name in ("backup-20261101T000000Z", "backup-20261128T213000Z"):
        sums(state="written", path=str(backup(tmp_path, name)))
    backup(tmp_path, "backup-20261201T000000Z.part")      # not complete: never restored
    (tmp_path / "notes").mkdir()
    found = sums(backups_dir=str(tmp_path), name="latest")
    assert not found["changed"] and found["name"] == "backup-20261128T213000Z", found
    assert sums(backups_dir=str(tmp_path), name="backup-20261101T000000Z")["name"] == "backup-20261101T000000Z"


def test_a_backup_that_is_not_there_is_named_with_those_that_are(tmp_path):
    sums(state="written", path=str(backup(tmp_path, "backup-20261101T000000Z")))
    missing = sums(backups_dir=str(tmp_path), name="backup-20261128T213000Z")
    assert missing["failed"] and "No backup backup-20261128T213000Z in" in missing["msg"], missing
    assert "there are: backup-20261101T000000Z" in missing["msg"]
    empty = sums(backups_dir=str(tmp_path / "none"), name="latest")
    assert empty["failed"] and "there are: none" in empty["msg"], empty


@pytest.mark.parametrize("damage", ["changed", "removed", "unlisted"])
def test_a_damaged_backup_is_refused_naming_the_file(tmp_path, damage):
    path = backup(tmp_path, "backup-20261128T213000Z")
    sums(state="written", path=str(path))
    if damage == "changed":
        (path / "database.sql.gz").write_bytes(b"part 0 of something else\n")
    elif damage == "removed":
        (path / "database.sql.gz").unlink()
    else:
        text = (path / "SHA256SUMS").read_text()
        (path / "SHA256SUMS").write_text("".join(l + "\n" for l in text.splitlines() if "database" not in l))
    refused = sums(path=str(path))
    assert refused["failed"], refused
    assert refused["msg"].startswith("database.sql.gz of backup backup-20261128T213000Z is missing or does not "
                                     "match its SHA256SUMS"), refused["msg"]
    assert sums(path=str(path), files=["backup.json"])["name"] == "backup-20261128T213000Z"


def test_a_backup_is_described_summed_completed_and_the_oldest_beyond_keep_removed(tmp_path):
    for name in ("backup-20261101T000000Z", "backup-20261102T000000Z", "backup-20261103T000000Z"):
        sums(state="written", path=str(backup(tmp_path, name)))
    stale = backup(tmp_path, "backup-20261104T000000Z.part")    # an interrupted backup: never removed here
    path = backup(tmp_path, "backup-20261128T213000Z.part")
    (path / "backup.json").unlink()                               # written by the call
    args = {"state": "written", "path": str(path), "info": {"name": "backup-20261128T213000Z", "login": "jdoe"},
            "complete": True, "keep": 2, "owner": 100000, "group": 100000}
    checked = run_module("fortytwo.inception.backup_sums", {"files": FILES, **args}, "--check")
    assert checked["changed"] and checked["removed"] == ["backup-20261101T000000Z", "backup-20261102T000000Z"]
    assert path.is_dir() and not (path / "backup.json").exists() and (tmp_path / "backup-20261101T000000Z").is_dir()
    done = sums(**args)
    assert done["changed"] and done["name"] == "backup-20261128T213000Z", done
    final = tmp_path / "backup-20261128T213000Z"
    assert done["path"] == str(final) and final.is_dir() and not path.exists()
    assert done["removed"] == ["backup-20261101T000000Z", "backup-20261102T000000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "backup-20261103T000000Z", "backup-20261104T000000Z.part", "backup-20261128T213000Z"]
    assert stale.is_dir()
    assert '"login": "jdoe"' in (final / "backup.json").read_text()
    info = (final / "backup.json").stat()
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o600, 100000, 100000)
    assert subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=final,
                          capture_output=True, check=False).returncode == 0
    # The completed backup is the latest, and checks.
    assert sums(backups_dir=str(tmp_path), name="latest")["name"] == "backup-20261128T213000Z"
