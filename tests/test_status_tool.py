"""tools/status.py, `make status`'s command: what it computes from the
engine's answers (the table itself is status_rows', tested in test_filters)."""
import importlib.util

import pytest

from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("status_tool", ROOT / "tools" / "status.py")
status = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(status)


@pytest.mark.parametrize("stats,used", [
    # cgroup v1: docker stats subtracts total_inactive_file.
    ({"memory_stats": {"usage": 88592384, "stats": {"total_inactive_file": 1052672}}}, 87539712),
    # cgroup v2: inactive_file.
    ({"memory_stats": {"usage": 50000000, "stats": {"inactive_file": 10000000}}}, 40000000),
    ({"memory_stats": {"usage": 4096, "stats": {}}}, 4096),
    ({"memory_stats": {}}, None),  # a stopped container
])
def test_used_memory_is_what_docker_stats_counts(stats, used):
    assert status.used_memory(stats) == used


@pytest.mark.parametrize("size,text", [
    (512, "512B"), (5632, "5.5KiB"), (35098624, "33.47MiB"), (402653184, "384MiB"), (25 * 2**30, "25GiB"),
])
def test_sizes_are_written_as_docker_stats_writes_them(size, text):
    assert status.human(size) == text


class Container:
    def __init__(self, env):
        self.attrs = {"Config": {"Env": env}}


def test_the_site_url_is_read_from_wordpress_environment():
    containers = [Container(["PATH=/usr/bin"]), Container(["WORDPRESS_URL=https://jdoe.42.fr:8443", "A=b"])]
    assert status.site_url(containers) == "https://jdoe.42.fr:8443/"
    assert status.site_url([Container(None)]) is None
