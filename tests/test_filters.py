"""The collection's filters (plugins/filter/inception.py): the values that
would otherwise be Jinja programs."""
import importlib.util
from datetime import datetime, timedelta, timezone

import pytest
from ansible.errors import AnsibleFilterError
from ansible.playbook.block import Block
from ansible.playbook.task import Task

from ansible_collections.fortytwo.inception.plugins.plugin_utils import upgrades
from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("inception_filters", ROOT / "plugins" / "filter" / "inception.py")
filters = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(filters)


def test_a_services_directories_are_owned_on_the_host_as_the_engine_maps_its_ids():
    entries = [{"path": "/d/mariadb", "owner": 999, "mode": "0700", "name": "x", "initialized": "mysql"},
               {"path": "/d/www", "owner": 33, "group": 82, "mode": "0755"}, {"path": "/d/run", "mode": "0700"}]
    assert filters.owned_directories(entries, {"uid": 100000, "gid": 200000}) == [
        {"path": "/d/mariadb", "owner": "100999", "group": "200999", "mode": "0700"},
        {"path": "/d/www", "owner": "100033", "group": "200082", "mode": "0755"},
        {"path": "/d/run", "owner": "100000", "group": "200000", "mode": "0700"}]
    assert filters.owned_directories([], {"uid": 0, "gid": 0}) == []


def test_an_upgrade_leaves_the_new_image_and_the_one_it_replaced_and_prunes_the_rest():
    images = [{"Id": "sha256:new", "RepoTags": ["mariadb:c0ffee-0e809e35", "registry.jdoe.42.fr/mariadb:c0ffee-0e809e35"]},
              {"Id": "sha256:old", "RepoTags": ["mariadb:c0ffee"]},
              {"Id": "sha256:older", "RepoTags": ["mariadb:c0ffee-11111111", "registry.jdoe.42.fr/mariadb:c0ffee-11111111"]},
              {"Id": "sha256:template", "RepoTags": ["mariadb:beef00"]},
              {"Id": "sha256:elsewhere", "RepoTags": ["mariadb:abcdef"]},
              {"Id": "sha256:web", "RepoTags": ["wordpress:c0ffee", "mariadb-tools:1"]},
              {"Id": "sha256:dangling", "RepoTags": None}]
    containers = [{"Names": ["/other_mariadb"], "ImageID": "sha256:elsewhere"}]
    assert filters.stale_images(images, containers, "mariadb", ["mariadb:c0ffee-0e809e35", "mariadb:c0ffee"]) == [
        "mariadb:beef00", "mariadb:c0ffee-11111111", "registry.jdoe.42.fr/mariadb:c0ffee-11111111"]
    # Nothing behind: nothing to keep but what runs, nothing else named.
    assert filters.stale_images([], [], "mariadb", ["mariadb:c0ffee"]) == []
    assert filters.stale_images(images[:1], [], "mariadb", ["mariadb:c0ffee-0e809e35", ""]) == []


def listed(name, role, network="jdoe_inception"):
    return {"Names": [f"/{name}"], "Labels": {"fortytwo.inception.role": role, "fortytwo.inception.network": network}
            if role else {}}


def test_containers_of_services_off_or_gone_are_the_ones_removed():
    plan = {"mariadb": {"container": "mariadb"}, "nginx_tls": {"container": "nginx"}}
    containers = [listed("mariadb", "mariadb"), listed("nginx", "nginx_tls"),
                  listed("redis", "redis"),            # switched off: not in the plan
                  listed("old", "gone_role"),          # a role no longer in the list
                  listed("nginx", "static_site"),      # another role under nginx's name
                  listed("adminer", "adminer", network="other_inception"),  # another stack's
                  listed("unrelated", None)]           # not ours at all
    assert filters.containers_not_in(containers, plan, "jdoe_inception") == ["redis", "old", "nginx"]
    assert filters.containers_not_in(containers, plan, "other_inception") == ["adminer"]
    assert filters.containers_not_in([], plan, "jdoe_inception") == []


def test_the_images_under_a_tag_are_found_as_the_engine_lists_them():
    images = [{"Id": "a", "RepoTags": ["debian:bookworm", "debian:12"]}, {"Id": "b", "RepoTags": None},
              {"Id": "c", "RepoTags": ["localhost:5000/debian:bookworm"]}, {"Id": "d"}]
    assert [i["Id"] for i in filters.tagged(images, "debian:bookworm")] == ["a"]
    assert [i["Id"] for i in filters.tagged(images, "docker.io/library/debian:bookworm")] == ["a"]
    assert [i["Id"] for i in filters.tagged(images, "localhost:5000/debian:bookworm")] == ["c"]
    assert filters.tagged(images, "debian:trixie") == [] and filters.tagged(None, "debian:bookworm") == []


def test_volume_paths_taken_by_a_file_or_a_link_are_named_and_a_first_start_told():
    entries = {"mariadb": ["aria_log_control", "mysql"], "wordpress": ["wp-config.php"], "file": None, "link": None}
    volumes = [{"path": "/d/mariadb", "initialized": "mysql", "name": "mariadb"},
               {"path": "/d/wordpress", "initialized": ".inception-seeded"},
               {"path": "/d/new", "initialized": "mysql"}, {"path": "/d/plain"},
               {"path": "/d/file", "initialized": "mysql"}, {"path": "/d/link/"}]
    assert filters.volume_states(volumes, "/d", entries) == {
        "volumes_taken": ["/d/file", "/d/link/"], "volumes_unset": ["/d/wordpress", "/d/new"]}
    assert filters.volume_states([], "/d/", {}) == {"volumes_taken": [], "volumes_unset": []}
    # A data directory not there yet: every volume's first start is to come.
    assert filters.volume_states(volumes[:2], "/d", {})["volumes_unset"] == ["/d/mariadb", "/d/wordpress"]


@pytest.mark.parametrize("volume,named", [
    ({"path": "/elsewhere/mariadb"}, "/elsewhere/mariadb is not directly in inception_data_dir"),
    ({"path": "/d/a/b"}, "/d/a/b is not directly in inception_data_dir"),
    ({"path": "/d/mariadb", "initialized": "mysql/db.opt"}, "a name directly in the volume is expected")])
def test_a_volume_the_data_directory_listing_cannot_answer_for_is_refused_naming_it(volume, named):
    with pytest.raises(AnsibleFilterError, match=named):
        filters.volume_states([volume], "/d", {})


SERVICES = ["mariadb", "wordpress", "nginx_tls"]


@pytest.mark.parametrize("run_tags,skip_tags,selected", [
    ([], [], SERVICES), (["all"], [], SERVICES), (["nginx_tls"], [], ["nginx_tls"]),
    (["wordpress", "mariadb"], [], ["mariadb", "wordpress"]), (["preflight"], [], []), (["docker_host"], [], []),
    (["tagged"], [], SERVICES), (["all"], ["wordpress"], ["mariadb", "nginx_tls"]),
    (["mariadb"], ["mariadb"], []), (["all"], ["tagged"], []), (["all"], ["all"], []),
    (["untagged"], [], []), (["always"], [], [])])
def test_the_services_a_runs_tags_select_are_those_ansible_runs_a_task_tagged_with_each_for(
        run_tags, skip_tags, selected):
    assert filters.selected_by_tags(SERVICES, run_tags, skip_tags) == selected
    # As ansible-core itself decides for a task tagged with the name alone.
    assert selected == [name for name in SERVICES if Task.load({"debug": {}, "tags": [name]}, block=Block())
                        .evaluate_tags(set(run_tags or ["all"]), set(skip_tags), {})]


def inspected(name, role, started, **extra):
    container = {
        "Name": f"/{name}", "RestartCount": 2,
        "Config": {"Image": f"{name}:0123456789ab",
                   "Labels": {"fortytwo.inception.role": role, "fortytwo.inception.service": name}},
        "State": {"Status": "running", "Running": True, "StartedAt": started.strftime("%Y-%m-%dT%H:%M:%S.123456789Z"),
                  "Health": {"Status": "healthy"}},
        "HostConfig": {"PortBindings": {}},
        "Mounts": [],
    }
    container.update(extra)
    return container


def test_status_rows_follow_the_list_of_services_and_say_what_docker_says():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    nginx = inspected("nginx", "nginx_tls", now - timedelta(days=1, hours=2),
                      HostConfig={"PortBindings": {"443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}]}},
                      Mounts=[{"Type": "volume", "Name": "wordpress", "RW": False}, {"Type": "bind", "RW": False}])
    mariadb = inspected("mariadb", "mariadb", now - timedelta(minutes=3, seconds=7),
                        Mounts=[{"Type": "volume", "Name": "mariadb", "RW": True}])
    rows = filters.status_rows([nginx, None, mariadb], ["nginx 5.2MiB / 64MiB", "mariadb 80MiB / 384MiB"],
                               order=["mariadb", "wordpress", "nginx_tls"], now=now,
                               patches={"nginx:0123456789ab": upgrades.apt_upgrades(APT_SIMULATION),
                                        "mariadb:0123456789ab": []})
    assert rows == [
        ["mariadb", "running", "healthy", "mariadb:0123456789ab", "up to date", "3m07s", "2", "80MiB", "-", "mariadb"],
        ["nginx", "running", "healthy", "nginx:0123456789ab", "4 behind", "1d02h", "2", "5.2MiB",
         "127.0.0.1:8443->443/tcp", "wordpress (ro)"],
    ]


def test_a_stopped_container_has_no_uptime_and_no_memory_figure():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    stopped = inspected("wordpress", "wordpress", now - timedelta(hours=5))
    stopped["State"].update(Status="exited", Running=False, Health={"Status": "unhealthy"})
    row, = filters.status_rows([stopped], [], now=now)
    assert row[1:3] == ["exited", "unhealthy"] and row[4] == "-" and row[5] == "0m00s" and row[7] == "-"


def test_status_rows_without_updates_have_no_such_column():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    mariadb = inspected("mariadb", "mariadb", now - timedelta(minutes=1),
                        Mounts=[{"Type": "volume", "Name": "mariadb", "RW": True}])
    row, = filters.status_rows([mariadb], ["mariadb 33.1MiB / 384MiB"], now=now, updates=False)
    assert len(row) == len(filters.STATUS_HEADER_NOW) == len(filters.STATUS_HEADER) - 1
    assert dict(zip(filters.STATUS_HEADER_NOW, row)) == {
        "SERVICE": "mariadb", "STATE": "running", "HEALTH": "healthy", "IMAGE": "mariadb:0123456789ab",
        "UPTIME": "1m00s", "RESTARTS": "2", "MEMORY": "33.1MiB", "PUBLISHED": "-", "VOLUME": "mariadb"}


def test_the_table_aligns_its_columns():
    table = filters.text_table([["a", "bb"], ["ccc", "d"]], header=["X", "Y"])
    assert table.splitlines() == ["X    Y", "a    bb", "ccc  d"]


# What `apt-get -s dist-upgrade` printed in an nginx image built before
# Debian's security updates (trimmed).
APT_SIMULATION = """NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
Reading package lists...
Calculating upgrade...
The following packages will be upgraded:
   libssl3 nginx nginx-common
3 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.
Inst nginx-common [1.22.1-9+deb12u9] (1.22.1-9+deb12u11 Debian-Security:12/stable-security [all])
Inst nginx [1.22.1-9+deb12u9] (1.22.1-9+deb12u11 Debian-Security:12/stable-security [amd64])
Inst libssl3 [3.0.20-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst libnew1 (1.0-1 Debian:12.12/stable [amd64])
Conf nginx-common (1.22.1-9+deb12u11 Debian-Security:12/stable-security [all])
Conf nginx (1.22.1-9+deb12u11 Debian-Security:12/stable-security [amd64])
"""


def test_apt_upgrades_reads_the_changes_of_a_simulation_sorted():
    changes = upgrades.apt_upgrades(APT_SIMULATION)
    assert changes == [
        {"package": "libnew1", "old": "", "new": "1.0-1"},
        {"package": "libssl3", "old": "3.0.20-1~deb12u2", "new": "3.0.22-1~deb12u2"},
        {"package": "nginx", "old": "1.22.1-9+deb12u9", "new": "1.22.1-9+deb12u11"},
        {"package": "nginx-common", "old": "1.22.1-9+deb12u9", "new": "1.22.1-9+deb12u11"},
    ]
    assert upgrades.apt_upgrades(APT_SIMULATION.splitlines()) == changes


def test_apt_upgrades_of_an_image_up_to_date_is_empty():
    assert upgrades.apt_upgrades("Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove\n") == []
    assert upgrades.apt_upgrades(None) == []


def test_package_changes_is_one_line_and_can_be_cut():
    changes = upgrades.apt_upgrades(APT_SIMULATION)
    assert filters.package_changes(changes[1:3]) == (
        "libssl3 3.0.20-1~deb12u2 -> 3.0.22-1~deb12u2, nginx 1.22.1-9+deb12u9 -> 1.22.1-9+deb12u11")
    assert filters.package_changes(changes, limit=1) == "libnew1 (new) -> 1.0-1, and 3 more"
    assert filters.package_changes([]) == "-"


def test_the_upgrade_report_follows_the_service_order_then_lists_the_packages():
    report = {
        "nginx_tls": {"service": "nginx", "result": "upgraded", "before": "nginx:a (1111)", "after": "nginx:a (2222)",
                      "down": 1.234, "changes": upgrades.apt_upgrades(APT_SIMULATION)[2:4]},
        "mariadb": {"service": "mariadb", "result": "up to date", "before": "mariadb:b", "after": "mariadb:b",
                    "changes": []},
    }
    order = ["mariadb", "wordpress", "nginx_tls"]
    assert filters.upgrade_rows(report, order=order) == [
        ["mariadb", "up to date", "mariadb:b", "mariadb:b", "-", "0"],
        ["nginx", "upgraded", "nginx:a (1111)", "nginx:a (2222)", "1.2 s", "2"],
    ]
    lines = filters.upgrade_table(report, order=order).splitlines()
    assert lines[0].split() == ["SERVICE", "RESULT", "IMAGE", "BEFORE", "IMAGE", "AFTER", "DOWN", "PACKAGES"]
    assert lines[1].startswith("mariadb") and lines[2].startswith("nginx")
    assert lines[3:] == ["nginx: nginx 1.22.1-9+deb12u9 -> 1.22.1-9+deb12u11",
                         "nginx: nginx-common 1.22.1-9+deb12u9 -> 1.22.1-9+deb12u11"]


@pytest.mark.parametrize("source, disk, throttles, device, says", [
    ("/dev/vda", "", True, "/dev/vda", "on /dev/vda, which holds /home/jdoe/data"),
    ("/dev/sda2", "sda", True, "/dev/sda", "on /dev/sda, which holds"),            # a partition: its disk
    ("/dev/mapper/vg-home", "", True, "/dev/mapper/vg-home", "on /dev/mapper/vg-home"),
    ("overlay", None, True, "", "none, /home/jdoe/data is on overlay, not a block device"),
    ("/dev/vda", "", False, "", "none, this kernel throttles no block I/O"),
    ("/dev/vda", None, True, "", "not a block device"),                            # lsblk could not tell
])
def test_blkio_device_is_the_disk_that_holds_the_data(source, disk, throttles, device, says):
    found = filters.blkio_device(source + "\n", disk, throttles, "/home/jdoe/data")
    assert found["device"] == device and says in found["summary"]


# --- user namespaces ----------------------------------------------------------

SUBUID = "jdoe:165536:65536\ndockremap:100000:65536\n"
SUBGID = "jdoe:165536:65536\ndockremap:200000:65536\n"


def test_daemon_config_switches_the_remapping_and_keeps_every_other_setting():
    current = {"log-driver": "json-file", "userns-remap": "default"}
    assert filters.daemon_config(current, False) == {"log-driver": "json-file"}
    assert filters.daemon_config({"log-driver": "json-file"}, True) == current
    # A remap user the file already names stays.
    assert filters.daemon_config({"userns-remap": "builder"}, True) == {"userns-remap": "builder"}
    assert filters.daemon_config(None, False) == {}
    filters.daemon_config(current, False)
    assert current == {"log-driver": "json-file", "userns-remap": "default"}, "the input was changed"


def test_userns_enabled_reads_the_engines_security_options():
    assert filters.userns_enabled(["name=seccomp,profile=default", "name=userns"])
    assert not filters.userns_enabled(["name=seccomp,profile=default", "name=rootless"])
    assert not filters.userns_enabled(None)


def test_userns_ids_on_gives_the_remap_users_ranges_and_the_shift_up():
    ids = filters.userns_ids(["name=seccomp,profile=default", "name=userns"], SUBUID, SUBGID)
    assert ids == {"enabled": True, "uid": 100000, "gid": 200000,
                   "shift": {"uid_from": 0, "uid_to": 100000, "gid_from": 0, "gid_to": 200000, "count": 65536}}


def test_userns_ids_off_shifts_data_written_remapped_back_down():
    ids = filters.userns_ids(["name=seccomp,profile=default"], SUBUID, SUBGID)
    assert ids == {"enabled": False, "uid": 0, "gid": 0,
                   "shift": {"uid_from": 100000, "uid_to": 0, "gid_from": 200000, "gid_to": 0, "count": 65536}}


def test_userns_ids_off_on_a_host_that_never_remapped_has_nothing_to_shift():
    assert filters.userns_ids([], "jdoe:165536:65536\n", "") == {"enabled": False, "uid": 0, "gid": 0, "shift": None}


def test_userns_ids_reads_the_user_and_group_the_daemon_names():
    ids = filters.userns_ids(["name=userns"], SUBUID, SUBGID, remap="jdoe:jdoe")
    assert (ids["uid"], ids["gid"]) == (165536, 165536)


def test_userns_ids_on_without_a_range_is_an_error_naming_the_user():
    with pytest.raises(ValueError, match="dockremap"):
        filters.userns_ids(["name=userns"], "jdoe:165536:65536\n", "")


def test_foreign_containers_are_those_not_on_the_stacks_network_label():
    containers = [
        {"Names": ["/moltest_nginx"], "Labels": {"fortytwo.inception.network": "moltest_inception"}},
        {"Names": ["/nginx"], "Labels": {"fortytwo.inception.network": "inception"}},
        {"Names": ["/inception-vm1"], "Labels": {}},
        {"Names": ["/probe"], "Labels": None},
    ]
    assert filters.foreign_containers(containers, "moltest_inception") == ["nginx", "inception-vm1", "probe"]
    assert filters.foreign_containers([], "inception") == []


def test_htpasswd_is_a_stable_bcrypt_line_that_checks_the_password():
    import bcrypt
    line = filters.htpasswd("Fleet-Secret-1", "fleet")
    user, hashed = line.split(":", 1)
    assert user == "fleet" and hashed.startswith("$2b$10$") and len(hashed) == 60
    assert bcrypt.checkpw(b"Fleet-Secret-1", hashed.encode())
    assert not bcrypt.checkpw(b"fleet-secret-1", hashed.encode())
    assert filters.htpasswd("Fleet-Secret-1", "fleet") == line
    assert filters.htpasswd("Fleet-Secret-2", "fleet") != line
    assert filters.htpasswd("Fleet-Secret-1", "other").split(":", 1)[1] != hashed   # the salt follows the user


def test_htpasswd_needs_no_crypt_module(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "crypt", None)     # as on Python 3.13, where `import crypt` fails
    assert filters.htpasswd("Fleet-Secret-1", "fleet").startswith("fleet:$2b$10$")


GOOD_HOST = {"release": {"id": "debian", "codename": "bookworm", "name": "Debian GNU/Linux 12 (bookworm)"},
             "supported_releases": {"bookworm": "Debian 12 (bookworm)", "trixie": "Debian 13 (trixie)"},
             "login": "jdoe", "domain": "jdoe.42.fr", "port": 443, "base_image": "debian:bookworm",
             "data_dir": "/home/jdoe/data", "data_dir_taken": False, "base_image_method": "auto",
             "base_image_archive": "", "fleet": None}
FLEET = {"builder": "vm1", "builders": ["vm1"], "hosts": ["vm1", "vm2"], "password": "fleet-Secret-000007",
         "registry_address": "172.29.42.11"}


def test_good_host_inputs_pass_and_a_fleet_too():
    assert filters.host_input_errors(GOOD_HOST) == []
    assert filters.host_input_errors({**GOOD_HOST, "fleet": FLEET}) == []
    assert filters.host_input_errors({**GOOD_HOST, "port": "8443", "release": {
        "id": "debian", "codename": "trixie", "name": "Debian GNU/Linux 13 (trixie)"}}) == []


@pytest.mark.parametrize("change, named", [
    ({"login": "Jean Doe"}, "inception_login is 'Jean Doe'"),
    ({"domain": "not a domain"}, "inception_domain is 'not a domain': give a lower-case host name such as jdoe.42.fr"),
    ({"domain": "JDOE.42.fr"}, "inception_domain is 'JDOE.42.fr'"),
    ({"port": 70000}, "inception_https_port is '70000'"),
    ({"port": "https"}, "inception_https_port is 'https'"),
    ({"base_image": "debian:latest"}, "inception_base_image is 'debian:latest'"),
    ({"base_image": "debian"}, "inception_base_image is 'debian'"),
    ({"data_dir": "relative/data"}, "inception_data_dir is 'relative/data': it must be an absolute path"),
    ({"data_dir": "/"}, "inception_data_dir is '/'"),
    ({"data_dir_taken": True}, "inception_data_dir (/home/jdoe/data) exists and is not a directory"),
    ({"base_image_method": "load"}, "set docker_host_base_image_archive to a `docker save` tarball of debian:bookworm"),
    ({"release": {"id": "ubuntu", "codename": "noble", "name": "Ubuntu 24.04"}},
     "This host runs Ubuntu 24.04 (ubuntu noble): docker_host prepares Debian 12 (bookworm) and Debian 13 (trixie) only"),
    ({"release": {}}, "This host runs an unknown system (no /etc/os-release) (? ?)"),
    ({"fleet": {**FLEET, "password": "short"}}, "registry_password on every host"),
    ({"fleet": {**FLEET, "password": None}}, "add vault_registry_password with `make vault`"),
    ({"fleet": {**FLEET, "registry_address": "vm1.example"}}, "('vm1.example': the builder's ansible_host by default"),
    ({"fleet": {**FLEET, "builders": ["vm1", "vm2"]}}, "(inventory group inception_fleet_builder: vm1, vm2) needs"),
    ({"fleet": {**FLEET, "builder": "elsewhere"}}, "exactly one builder, a host of the group inception"),
])
def test_each_bad_host_input_is_named_with_its_fix(change, named):
    errors = filters.host_input_errors({**GOOD_HOST, **change})
    assert len(errors) == 1 and named in errors[0], errors


def test_every_bad_host_input_is_named_at_once():
    errors = filters.host_input_errors({**GOOD_HOST, "login": "X", "port": 0, "data_dir": "data"})
    named = [error.split(" ")[0] for error in errors]
    assert named == ["inception_login", "inception_https_port", "inception_data_dir"]


@pytest.mark.parametrize("value,others,names,strong", [
    ("root-Secret-0001", ["db-Secret-0002"], ["jdoe", "wpuser"], True),
    ("short-0001", [], [], False),                          # fewer than 12 characters
    ("db-Secret-0002", ["db-Secret-0002"], [], False),      # another secret's value
    ("JDOE_THE_WRITER", [], ["jdoe_the_writer"], False),    # a name, in another case
    ("", [], [], False),
    (None, [], [], False),                                  # a secret the vault lacks
])
def test_a_secret_is_strong_when_long_and_equal_to_no_other_secret_or_name(value, others, names, strong):
    assert filters.strong_secret(value, others, names) is strong


def test_a_longer_minimum_is_kept():
    assert not filters.strong_secret("fifteen-chars-1", min_length=16)
    assert filters.strong_secret("sixteen-chars-12", min_length=16)
