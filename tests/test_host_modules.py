"""The modules that replace several calls each (plugins/modules/host_files.py,
host_facts.py, context_files.py) and their module_utils.files, on real files of a temporary directory."""
import os
import stat

import pytest

from ansible_collections.fortytwo.inception.plugins.module_utils import files as file_utils
from ansible_collections.fortytwo.inception.plugins.module_utils.files import directory_is, file_is, make_directory
from ansible_collections.fortytwo.inception.plugins.modules import host_facts, host_files
from conftest import owner_mode, run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="owners are set as root")


def test_a_secret_file_is_written_owned_and_0400_then_left_alone(tmp_path):
    path = tmp_path / "db_password"
    host_files._write(str(tmp_path), "db_password", b"s3cret", 100000, 100000)
    info = path.stat()
    assert path.read_bytes() == b"s3cret"
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o400, 100000, 100000)
    assert file_is(str(path), b"s3cret", 0o400, 100000, 100000)
    assert not file_is(str(path), b"s3cret", 0o400, 0, 0)
    assert not file_is(str(path), b"other", 0o400, 100000, 100000)


def test_an_edited_secret_file_is_repaired_in_place_for_the_containers_that_mount_it(tmp_path):
    path = tmp_path / "db_password"
    host_files._write(str(tmp_path), "db_password", b"s3cret", 0, 0)
    inode = path.stat().st_ino
    os.chmod(path, 0o644)
    with open(path, "ab") as handle:
        handle.write(b"edited")
    assert not file_is(str(path), b"s3cret", 0o400, 0, 0)
    host_files._write(str(tmp_path), "db_password", b"s3cret", 0, 0)
    assert path.read_bytes() == b"s3cret" and path.stat().st_ino == inode
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


def test_a_link_in_place_of_a_secret_file_is_replaced_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"untouched")
    (tmp_path / "secrets").mkdir()
    link = tmp_path / "secrets" / "db_password"
    link.symlink_to(target)
    host_files._write(str(tmp_path / "secrets"), "db_password", b"s3cret", 0, 0)
    assert not link.is_symlink() and link.read_bytes() == b"s3cret"
    assert target.read_bytes() == b"untouched"


@pytest.mark.parametrize("make", ["file", "link"])
def test_a_file_or_a_link_where_a_directory_is_wanted_is_refused_and_left(tmp_path, make):
    path = tmp_path / "secrets"
    if make == "file":
        path.write_text("mine")
    else:
        (tmp_path / "elsewhere").mkdir(mode=0o755)
        path.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError, match=f"{path} exists and is not a directory"):
        directory_is(str(path), 0o700)
    with pytest.raises(OSError, match=f"{path} exists and is not a directory"):
        make_directory(str(path), 0o700)
    assert path.is_symlink() if make == "link" else path.read_text() == "mine"
    make_directory(str(tmp_path / "new" / "secrets"), 0o700)
    assert directory_is(str(tmp_path / "new" / "secrets"), 0o700)
    assert not directory_is(str(tmp_path / "new" / "secrets"), 0o755)


CONTEXT = [{"dest": "Dockerfile", "content": "FROM debian:bookworm\n", "mode": "0644"},
           {"dest": "conf/bin/entrypoint.sh", "content": "#!/bin/sh\nexec mariadbd\n", "mode": "0755"}]


def write_context(directory, files=None):
    """What the module does, step by step: plan, then write what the plan says."""
    folders, todo, _gone = file_utils.plan_files(str(directory), CONTEXT if files is None else files)
    file_utils.write_files(folders, todo)
    return folders, [dest for _p, _c, _m, dest in todo]


def test_the_stacks_directories_and_secret_files_are_one_call_then_nothing_then_repaired(tmp_path):
    """As stack_files.yml calls it: the services' directories (owned as their
    containers see them) and the secret files, in one module call."""
    args = {"secrets_dir": str(tmp_path / "secrets"), "secrets": {"db_password": "s3cret"}, "uid": 100000,
            "gid": 100000, "shift": None,
            "directories": [{"path": str(tmp_path / "data" / "mariadb"), "owner": "100999", "group": "100999",
                             "mode": "0700"}]}
    first = run_module("fortytwo.inception.host_files", args)
    assert first["changed"] and first["created"] == [str(tmp_path / "data" / "mariadb")]
    assert first["secrets_written"] == ["db_password"] and "s3cret" not in str(first)
    info = (tmp_path / "data" / "mariadb").stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (100999, 100999, 0o700)
    assert not run_module("fortytwo.inception.host_files", args)["changed"]
    os.chmod(tmp_path / "data" / "mariadb", 0o755)
    repaired = run_module("fortytwo.inception.host_files", args)
    assert repaired["changed"] and repaired["secrets_written"] == [] and repaired["created"] == []
    assert stat.S_IMODE((tmp_path / "data" / "mariadb").stat().st_mode) == 0o700


def test_the_services_host_files_are_written_in_the_same_call_and_named_when_they_change(tmp_path):
    """As stack_files.yml calls it with the plan's host files (nginx's site.conf)."""
    nginx = tmp_path / "nginx"
    args = {"secrets_dir": str(tmp_path / "secrets"), "secrets": {"db_password": "s3cret"}, "shift": None,
            "files": [{"directory": str(nginx), "absent": ["servers/registry.conf"],
                       "files": [{"dest": "site.conf", "content": "server_name jdoe.42.fr;\n", "mode": "0644"}]}]}
    (nginx / "servers").mkdir(parents=True)
    (nginx / "servers" / "registry.conf").write_text("a server this host no longer runs\n")
    first = run_module("fortytwo.inception.host_files", args)
    assert first["changed"] and first["files_changed"] == [str(nginx / "site.conf"), str(nginx / "servers" / "registry.conf")]
    assert (nginx / "site.conf").read_text() == "server_name jdoe.42.fr;\n"
    assert owner_mode(nginx / "site.conf") == (0, 0, 0o644) and not (nginx / "servers" / "registry.conf").exists()
    again = run_module("fortytwo.inception.host_files", args)
    assert not again["changed"] and again["files_changed"] == []
    # Edited behind Ansible's back: repaired and named, the secrets left alone.
    (nginx / "site.conf").write_text("server_name elsewhere;\n")
    repaired = run_module("fortytwo.inception.host_files", args)
    assert repaired["changed"] and repaired["files_changed"] == [str(nginx / "site.conf")] and repaired["secrets_written"] == []
    assert (nginx / "site.conf").read_text() == "server_name jdoe.42.fr;\n"
    # A path in the way is named before anything is written.
    (tmp_path / "secrets" / "db_password").write_text("edited")
    (nginx / "site.conf").unlink()
    (nginx / "site.conf").mkdir()
    refused = run_module("fortytwo.inception.host_files", args)
    assert refused.get("failed") and str(nginx / "site.conf") in refused["msg"]
    assert (tmp_path / "secrets" / "db_password").read_text() == "edited"


def test_a_build_context_is_written_whole_then_left_alone(tmp_path):
    context = tmp_path / "build" / "mariadb"
    folders, written = write_context(context)
    assert folders == [str(context), str(context / "conf"), str(context / "conf" / "bin")]
    assert written == ["Dockerfile", "conf/bin/entrypoint.sh"]
    script = context / "conf" / "bin" / "entrypoint.sh"
    assert script.read_text() == "#!/bin/sh\nexec mariadbd\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755 and stat.S_IMODE((context / "Dockerfile").stat().st_mode) == 0o644
    assert stat.S_IMODE((context / "conf").stat().st_mode) == 0o755
    assert file_utils.plan_files(str(context), CONTEXT) == ([], [], [])


def test_a_context_changed_behind_its_back_is_repaired_and_other_files_left(tmp_path):
    write_context(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM debian:latest\n")
    os.chmod(tmp_path / "conf" / "bin" / "entrypoint.sh", 0o644)
    os.chmod(tmp_path / "conf", 0o700)
    (tmp_path / "notes.txt").write_text("mine")
    folders, written = write_context(tmp_path)
    assert folders == [str(tmp_path / "conf")]
    assert written == ["Dockerfile", "conf/bin/entrypoint.sh"]
    assert (tmp_path / "Dockerfile").read_text() == "FROM debian:bookworm\n"
    assert stat.S_IMODE((tmp_path / "conf" / "bin" / "entrypoint.sh").stat().st_mode) == 0o755
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert file_utils.plan_files(str(tmp_path), CONTEXT) == ([], [], [])


def test_a_link_in_place_of_a_context_file_is_replaced_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    (tmp_path / "ctx").mkdir(mode=0o755)
    (tmp_path / "ctx" / "Dockerfile").symlink_to(target)
    write_context(tmp_path / "ctx", CONTEXT[:1])
    assert not (tmp_path / "ctx" / "Dockerfile").is_symlink() and target.read_text() == "untouched"


def test_a_file_named_absent_is_removed_a_link_not_followed_and_its_folder_made(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    host = tmp_path / "nginx"
    site = [{"dest": "site.conf", "content": "server {}\n", "mode": "0644"}]
    folders, _todo, gone = file_utils.plan_files(str(host), site, ["servers/registry.conf"])
    assert folders == [str(host), str(host / "servers")] and gone == []
    file_utils.write_files(*file_utils.plan_files(str(host), site, ["servers/registry.conf"]))
    (host / "servers" / "registry.conf").symlink_to(target)
    (host / "servers" / "other.conf").write_text("mine")
    folders, todo, gone = file_utils.plan_files(str(host), site, ["servers/registry.conf"])
    assert (folders, todo, gone) == ([], [], [str(host / "servers" / "registry.conf")])
    file_utils.write_files(folders, todo, gone)
    assert not os.path.lexists(host / "servers" / "registry.conf") and target.read_text() == "untouched"
    assert (host / "servers" / "other.conf").read_text() == "mine"
    assert file_utils.plan_files(str(host), site, ["servers/registry.conf"]) == ([], [], [])
    (host / "servers" / "registry.conf").mkdir()
    with pytest.raises(ValueError, match="registry.conf is a directory"):
        file_utils.plan_files(str(host), site, ["servers/registry.conf"])
    with pytest.raises(ValueError, match="absent '../site.conf'"):
        file_utils.plan_files(str(host), site, ["../site.conf"])


@pytest.mark.parametrize("entry, named", [
    ({"dest": "../escape", "content": "", "mode": "0644"}, "dest '../escape'"),
    ({"dest": "/etc/passwd", "content": "", "mode": "0644"}, "dest '/etc/passwd'"),
    ({"dest": "a/../../b", "content": "", "mode": "0644"}, "dest 'a/../../b'"),
    ({"dest": "Dockerfile", "content": "", "mode": "rw-r--r--"}, "mode 'rw-r--r--'"),
    ({"dest": "Dockerfile", "content": ""}, "lacks mode"),
])
def test_a_context_file_outside_its_directory_or_without_a_mode_is_refused(tmp_path, entry, named):
    with pytest.raises(ValueError, match=named):
        file_utils.plan_files(str(tmp_path), [entry])
    assert list(tmp_path.iterdir()) == []


def test_the_data_directory_device_is_asked_of_its_nearest_existing_parent(tmp_path):
    assert host_facts.existing_parent(str(tmp_path / "not" / "yet")) == str(tmp_path)
    assert host_facts.existing_parent(str(tmp_path)) == str(tmp_path)


def test_the_package_lists_digest_follows_the_release_files_only(tmp_path):
    assert host_facts.lists_digest(str(tmp_path)) == "" == host_facts.lists_digest(str(tmp_path / "none"))
    (tmp_path / "deb.debian.org_debian_dists_bookworm_InRelease").write_text("Date: Sat, 05 Dec 2026\n")
    (tmp_path / "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4").write_text("big")
    first = host_facts.lists_digest(str(tmp_path))
    assert len(first) == 8 and int(first, 16) >= 0
    (tmp_path / "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4").write_text("other")
    assert host_facts.lists_digest(str(tmp_path)) == first
    (tmp_path / "deb.debian.org_debian_dists_bookworm_InRelease").write_text("Date: Sun, 06 Dec 2026\n")
    assert host_facts.lists_digest(str(tmp_path)) != first


def test_the_recorded_package_state_reads_as_none_when_missing_or_broken(tmp_path):
    path = tmp_path / "package-state.json"
    assert host_facts.package_state(str(path)) == {}
    path.write_text('{"mariadb": "0e809e35", "nginx_tls": ""}')
    assert host_facts.package_state(str(path)) == {"mariadb": "0e809e35"}
    path.write_text("not json")
    assert host_facts.package_state(str(path)) == {}
    path.write_text('["mariadb"]')
    assert host_facts.package_state(str(path)) == {}


def test_the_release_is_read_from_os_release():
    text = ('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\n'
            'VERSION="13 (trixie)"\nVERSION_CODENAME=trixie\nID=debian\n# a comment=no\n')
    assert host_facts.os_release(text) == {"id": "debian", "version_id": "13", "codename": "trixie",
                                           "name": "Debian GNU/Linux 13 (trixie)"}
    assert host_facts.os_release("") == {"id": "", "version_id": "", "codename": "", "name": ""}
    ubuntu = 'ID=ubuntu\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nPRETTY_NAME="Ubuntu 24.04 LTS"\n'
    assert host_facts.os_release(ubuntu)["codename"] == "noble"


def test_a_release_adds_its_own_packages_once():
    extra = {"trixie": ["docker-cli", "docker.io"]}
    wanted = host_facts.wanted_packages(["docker.io", "apparmor"], extra, "trixie")
    assert wanted == ["docker.io", "apparmor", "docker-cli"]
    assert host_facts.wanted_packages(["docker.io", "apparmor"], extra, "bookworm") == ["docker.io", "apparmor"]
    assert host_facts.wanted_packages([], {}, "") == []


def test_this_machine_reads_as_the_debian_it_is():
    text = open("/etc/os-release").read()
    release = host_facts.os_release(text)
    assert release["id"] and release["codename"] and release["codename"] in text


def test_what_lies_in_the_data_directory_is_listed_a_level_deep_links_and_files_as_null(tmp_path):
    (tmp_path / "mariadb").mkdir()
    (tmp_path / "mariadb" / "mysql").mkdir()
    (tmp_path / "wordpress").mkdir()
    (tmp_path / "file").write_text("not a directory")
    (tmp_path / "link").symlink_to(tmp_path / "wordpress")
    assert host_facts.data_entries(str(tmp_path)) == {
        "mariadb": ["mysql"], "wordpress": [], "file": None, "link": None}
    assert host_facts.data_entries(str(tmp_path / "missing")) == {}
    assert host_facts.data_entries(str(tmp_path / "file")) == {}
    assert host_facts.data_entries(None) == {}


def test_the_host_facts_list_the_data_directory_and_only_the_apt_lists_are_read_without_the_host(tmp_path):
    (tmp_path / "mariadb").mkdir()
    (tmp_path / "file").write_text("not a directory")
    full = run_module("fortytwo.inception.host_facts", {"data_dir": str(tmp_path)})
    assert not full.get("failed"), full
    assert full["data_dir_entries"] == {"mariadb": [], "file": None} and full["release"]["id"], full
    only = run_module("fortytwo.inception.host_facts", {"host": False, "data_dir": str(tmp_path)})
    assert not {"release", "daemon_json", "packages_missing", "subuid", "data_dir_entries"} & set(only), only
    assert "apt_lists_digest" in only, only


@pytest.mark.parametrize("check", [[], ["--check"]])
@pytest.mark.parametrize("module", ["host_files", "context_files"])
def test_a_file_where_the_modules_directory_goes_is_refused_also_in_check_mode(tmp_path, module, check):
    path = tmp_path / "taken"
    path.write_text("mine")
    args = ({"secrets_dir": str(path), "secrets": {"db_password": "s3cret"}} if module == "host_files"
            else {"directory": str(path), "files": CONTEXT})
    result = run_module(f"fortytwo.inception.{module}", args, *check)
    assert result.get("failed") and f"{path} exists and is not a directory" in result["msg"], result
    assert path.read_text() == "mine"


def test_secrets_need_their_directory():
    result = run_module("fortytwo.inception.host_files", {"secrets": {"db_password": "s3cret"}})
    assert result.get("failed") and "secrets need secrets_dir" in result["msg"] and "s3cret" not in str(result)
