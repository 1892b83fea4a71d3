"""The collection's filters (plugins/filter/inception.py): the values that
would otherwise be Jinja programs."""
import importlib.util
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("inception_filters", ROOT / "plugins" / "filter" / "inception.py")
filters = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(filters)

FILES = [{"src": "Dockerfile.j2", "dest": "Dockerfile", "mode": "0644"},
         {"src": "entrypoint.sh.j2", "dest": "entrypoint.sh", "mode": "0755"}]
RENDERED = ["FROM debian:bookworm\nCMD [\"mariadbd\"]\n", "#!/bin/sh\nexec \"$@\"\n"]


def test_the_image_tag_is_twelve_hex_digits_and_stable():
    tag = filters.image_tag(RENDERED, FILES, "debian:bookworm")
    assert len(tag) == 12 and int(tag, 16) >= 0
    assert filters.image_tag(list(RENDERED), [dict(f) for f in FILES], "debian:bookworm") == tag


@pytest.mark.parametrize("change", [
    lambda r, f, b: ([r[0] + "# one more line\n", r[1]], f, b),      # a template renders otherwise
    lambda r, f, b: (r, [f[0], {**f[1], "mode": "0644"}], b),        # a file mode
    lambda r, f, b: (r, [f[0], {**f[1], "dest": "start.sh"}], b),    # a file name
    lambda r, f, b: (r, f, "debian:trixie"),                         # the base image
    lambda r, f, b: ([r[0] + r[1][:1], r[1][1:]], f, b),             # the same text, split otherwise
])
def test_any_change_to_the_build_context_changes_the_tag(change):
    assert filters.image_tag(*change(RENDERED, FILES, "debian:bookworm")) != \
        filters.image_tag(RENDERED, FILES, "debian:bookworm")


def test_secret_files_are_mounted_one_by_one_read_only():
    assert filters.secret_mounts(["a_password", "b_password"], "/opt/x/secrets/") == [
        {"type": "bind", "source": "/opt/x/secrets/a_password", "target": "/run/secrets/a_password", "read_only": True},
        {"type": "bind", "source": "/opt/x/secrets/b_password", "target": "/run/secrets/b_password", "read_only": True},
    ]
    assert filters.secret_mounts([], "/x") == []


def listed(name, role):
    return {"Names": [f"/{name}"], "Labels": {"fortytwo.inception.role": role} if role else {}}


def test_containers_of_services_off_or_gone_are_the_ones_removed():
    plan = {"mariadb": {"container": "mariadb"}, "nginx_tls": {"container": "nginx"}}
    containers = [listed("mariadb", "mariadb"), listed("nginx", "nginx_tls"),
                  listed("redis", "redis"),            # switched off: not in the plan
                  listed("old", "gone_role"),          # a role no longer in the list
                  listed("nginx", "static_site")]      # another role under nginx's name
    assert filters.containers_not_in(containers, plan) == ["redis", "old", "nginx"]
    assert filters.containers_not_in([], plan) == []


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
                               order=["mariadb", "wordpress", "nginx_tls"], now=now)
    assert rows == [
        ["mariadb", "running", "healthy", "mariadb:0123456789ab", "3m07s", "2", "80MiB", "-", "mariadb"],
        ["nginx", "running", "healthy", "nginx:0123456789ab", "1d02h", "2", "5.2MiB",
         "127.0.0.1:8443->443/tcp", "wordpress (ro)"],
    ]


def test_a_stopped_container_has_no_uptime_and_no_memory_figure():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    stopped = inspected("wordpress", "wordpress", now - timedelta(hours=5))
    stopped["State"].update(Status="exited", Running=False, Health={"Status": "unhealthy"})
    row, = filters.status_rows([stopped], [], now=now)
    assert row[1:3] == ["exited", "unhealthy"] and row[4] == "0m00s" and row[6] == "-"


def test_the_table_aligns_its_columns():
    table = filters.text_table([["a", "bb"], ["ccc", "d"]], header=["X", "Y"])
    assert table.splitlines() == ["X    Y", "a    bb", "ccc  d"]
