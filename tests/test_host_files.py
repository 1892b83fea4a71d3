"""plugins/modules/host_files.py: docker_host's daemon.json, directories and
/etc/hosts names in one module call (run by Ansible on this machine, root
only), and its hosts-file edit as a function."""
import os

import pytest

from conftest import owner_mode, run_module

from ansible_collections.fortytwo.inception.plugins.modules.host_files import hosts_text

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="owners are set as root")


def host_files(args, *extra):
    return run_module("fortytwo.inception.host_files", args, *extra)


def test_a_name_is_added_replaced_on_its_last_line_or_left_and_other_lines_kept():
    text = "127.0.0.1 localhost\n10.0.0.9 jdoe.42.fr old-alias\n# 10.0.0.8 jdoe.42.fr\n"
    wanted = [{"name": "jdoe.42.fr", "address": "127.0.0.1"}, {"name": "registry.jdoe.42.fr", "address": "127.0.0.1"}]
    written, changed = hosts_text(text, wanted, [])
    assert written == ("127.0.0.1 localhost\n127.0.0.1 jdoe.42.fr\n# 10.0.0.8 jdoe.42.fr\n"
                       "127.0.0.1 registry.jdoe.42.fr\n")
    assert changed == ["jdoe.42.fr", "registry.jdoe.42.fr"]
    assert hosts_text(written, wanted, []) == (written, [])
    # Only a line that gives the name right after its address is the name's:
    # not a longer name, not an alias further on, not a comment.
    others = "127.0.0.1 localhost jdoe.42.fr\n127.0.0.1 www.jdoe.42.fr\n"
    assert hosts_text(others, wanted[:1], [])[0] == others + "127.0.0.1 jdoe.42.fr\n"


def test_absent_names_lose_every_line_of_theirs_and_no_other():
    text = "127.0.0.1 localhost\n127.0.0.1 jdoe.42.fr\n10.0.0.1 jdoe.42.fr x\n127.0.0.1 jdoe.42.fr.example\n"
    written, changed = hosts_text(text, [], ["jdoe.42.fr", "registry.jdoe.42.fr"])
    assert written == "127.0.0.1 localhost\n127.0.0.1 jdoe.42.fr.example\n"
    assert changed == ["jdoe.42.fr"]


@ROOT_ONLY
def test_files_directories_and_names_are_written_then_left_then_repaired(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    inode = hosts.stat().st_ino
    wanted = {"files": [{"directory": str(tmp_path / "docker"),
                         "files": [{"dest": "daemon.json", "content": '{"a": 1}\n', "mode": "0644"}]}],
              "directories": [{"path": str(tmp_path / "data"), "owner": "root", "group": "root", "mode": "0755"}],
              "hosts": [{"name": "jdoe.42.fr", "address": "127.0.0.1"}], "hosts_file": str(hosts)}
    checked = host_files(wanted, "--check")
    assert checked["changed"] and checked["hosts_changed"] == ["jdoe.42.fr"]
    assert not (tmp_path / "docker").exists() and not (tmp_path / "data").exists()
    assert hosts.read_text() == "127.0.0.1 localhost\n"
    first = host_files(wanted)
    assert first["changed"] and first["files_changed"] == [str(tmp_path / "docker" / "daemon.json")]
    assert first["created"] == [str(tmp_path / "data")] and first["hosts_changed"] == ["jdoe.42.fr"]
    assert (tmp_path / "docker" / "daemon.json").read_text() == '{"a": 1}\n'
    assert owner_mode(tmp_path / "docker" / "daemon.json") == (0, 0, 0o644)
    assert owner_mode(tmp_path / "docker") == (0, 0, 0o755)
    assert owner_mode(tmp_path / "data") == (0, 0, 0o755)
    # Written in place: a container's /etc/hosts is a bind mount of it.
    assert hosts.read_text() == "127.0.0.1 localhost\n127.0.0.1 jdoe.42.fr\n" and hosts.stat().st_ino == inode
    again = host_files(wanted)
    assert not again["changed"] and again["files_changed"] == again["created"] == again["hosts_changed"] == []
    # Behind Ansible's back: the file edited, the directory's mode, the name's address.
    (tmp_path / "docker" / "daemon.json").write_text("{}\n")
    os.chmod(tmp_path / "data", 0o777)
    hosts.write_text("127.0.0.1 localhost\n10.1.1.1 jdoe.42.fr\n")
    repaired = host_files(wanted)
    assert repaired["changed"] and repaired["hosts_changed"] == ["jdoe.42.fr"]
    assert (tmp_path / "docker" / "daemon.json").read_text() == '{"a": 1}\n'
    assert owner_mode(tmp_path / "data") == (0, 0, 0o755)
    assert hosts.read_text() == "127.0.0.1 localhost\n127.0.0.1 jdoe.42.fr\n"
    assert not host_files(wanted)["changed"]
    gone = host_files({"hosts_absent": ["jdoe.42.fr"], "hosts_file": str(hosts)})
    assert gone["changed"] and hosts.read_text() == "127.0.0.1 localhost\n"


@ROOT_ONLY
@pytest.mark.parametrize("taken", ["directory", "file", "parent"])
def test_a_path_in_the_way_is_named_and_nothing_is_written(tmp_path, taken):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    daemon = tmp_path / "docker" / "daemon.json"
    if taken == "directory":
        daemon.mkdir(parents=True)
        named = f"{daemon} is a directory"
    elif taken == "file":
        (tmp_path / "data").write_text("not a directory")
        named = f"{tmp_path / 'data'} exists and is not a directory"
    else:
        (tmp_path / "docker").write_text("not a directory")
        named = f"{tmp_path / 'docker'} exists and is not a directory"
    failed = host_files({"files": [{"directory": str(daemon.parent),
                                    "files": [{"dest": daemon.name, "content": "{}\n", "mode": "0644"}]}],
                         "directories": [{"path": str(tmp_path / "data"), "mode": "0755"}],
                         "hosts": [{"name": "jdoe.42.fr", "address": "127.0.0.1"}], "hosts_file": str(hosts)})
    assert failed["failed"] and named in failed["msg"]
    assert hosts.read_text() == "127.0.0.1 localhost\n"
