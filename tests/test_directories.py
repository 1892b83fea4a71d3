"""plugins/modules/directories.py, run by Ansible on this machine (root only):
several directories made with their owners and modes in one call, left alone
when right, repaired when changed, and their trees' owners moved."""
import os

import pytest

from conftest import owner_mode, run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="owners are set as root")


def directories(args, *extra):
    """One call of the module (ad hoc, local); its JSON result."""
    return run_module("fortytwo.inception.directories", args, *extra)


def test_the_directories_are_made_as_asked_then_left_alone_then_repaired(tmp_path):
    wanted = {"directories": [{"path": str(tmp_path / "data" / "mariadb"), "owner": "100999", "group": "100999",
                               "mode": "0700"},
                              {"path": str(tmp_path / "project"), "owner": "root", "group": "root", "mode": "0755"}]}
    first = directories(wanted)
    assert first["changed"] and first["created"] == [str(tmp_path / "data" / "mariadb"), str(tmp_path / "project")]
    assert owner_mode(tmp_path / "data" / "mariadb") == (100999, 100999, 0o700)
    assert owner_mode(tmp_path / "project") == (0, 0, 0o755)
    again = directories(wanted)
    assert not again["changed"] and again["created"] == []
    # Behind Ansible's back: another mode and owner; the next call repairs both.
    os.chmod(tmp_path / "data" / "mariadb", 0o777)
    os.chown(tmp_path / "project", 33, 33)
    repaired = directories(wanted)
    assert repaired["changed"] and repaired["created"] == []
    assert owner_mode(tmp_path / "data" / "mariadb") == (100999, 100999, 0o700)
    assert owner_mode(tmp_path / "project") == (0, 0, 0o755)


def test_a_tree_written_under_the_other_mapping_gets_the_owners_its_container_sees(tmp_path):
    top = tmp_path / "wordpress"
    (top / "wp-content").mkdir(parents=True)
    (top / "wp-content" / "index.php").write_text("<?php")
    os.chown(top / "wp-content", 33, 33)
    os.chown(top / "wp-content" / "index.php", 33, 33)
    wanted = {"directories": [{"path": str(top), "owner": "100033", "group": "100033", "mode": "0755"}],
              "shift": {"uid_from": 0, "uid_to": 100000, "gid_from": 0, "gid_to": 100000, "count": 65536}}
    checked = directories(wanted, "--check")
    assert checked["changed"] and checked["shifted"] == 3
    assert owner_mode(top / "wp-content")[:2] == (33, 33)
    moved = directories(wanted)
    assert moved["changed"] and moved["shifted"] == 3
    assert owner_mode(top / "wp-content" / "index.php")[:2] == (100033, 100033)
    assert owner_mode(top) == (100033, 100033, 0o755)
    assert not directories(wanted)["changed"]


def test_a_file_in_a_directorys_place_is_named_and_left(tmp_path):
    (tmp_path / "data").write_text("not a directory")
    failed = directories({"directories": [{"path": str(tmp_path / "data"), "owner": "root", "mode": "0755"}]})
    assert failed["failed"] and f"{tmp_path / 'data'} exists and is not a directory" in failed["msg"]
    assert (tmp_path / "data").read_text() == "not a directory"


def test_a_path_alone_keeps_its_owner_and_mode_and_only_its_tree_moves(tmp_path):
    """As the restore of the site files calls it: no owner or mode asked."""
    top = tmp_path / "wordpress"
    top.mkdir()
    os.chmod(top, 0o751)  # mkdir's mode would pass through the umask
    (top / "wp-config.php").write_text("<?php")
    os.chown(top / "wp-config.php", 33, 33)
    moved = directories({"directories": [{"path": str(top)}],
                         "shift": {"uid_from": 0, "uid_to": 100000, "gid_from": 0, "gid_to": 100000}})
    assert moved["changed"] and moved["shifted"] == 2
    assert owner_mode(top) == (100000, 100000, 0o751)
    assert owner_mode(top / "wp-config.php")[:2] == (100033, 100033)
    # Without a shift, nothing to do on an existing directory.
    assert not directories({"directories": [{"path": str(top)}], "shift": None})["changed"]


def test_overlapping_ranges_are_refused_and_nothing_moves(tmp_path):
    (tmp_path / "data").mkdir()
    os.chown(tmp_path / "data", 33, 33)
    failed = directories({"directories": [{"path": str(tmp_path / "data")}],
                          "shift": {"uid_from": 0, "uid_to": 1000, "gid_from": 0, "gid_to": 1000}})
    assert failed["failed"] and "overlap" in failed["msg"]
    assert owner_mode(tmp_path / "data")[:2] == (33, 33)
