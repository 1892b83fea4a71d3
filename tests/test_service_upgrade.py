"""make upgrade's steps: its decisions (plugins/plugin_utils/upgrades.py),
the service_upgrade action plugin (one service's new image) and the
image_patches one (what each image lacks), which drive the community.docker
modules as they say.
The modules are stood in for here; the molecule upgrade test runs the real
ones against Debian's mirror."""
import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.fortytwo.inception.plugins.action.image_patches import ActionModule as PatchesModule
from ansible_collections.fortytwo.inception.plugins.action.service_upgrade import ActionModule
from ansible_collections.fortytwo.inception.plugins.plugin_utils import upgrades
from test_service_image_plugin import PluginRun, assert_documented, stand_in

RUNNING = {"exists": True, "container": {"Image": "sha256:" + "a" * 64, "Config": {"Image": "nginx:0123456789ab"}}}


@pytest.mark.parametrize("container, held, patches, base, needed", [
    (RUNNING, ["nginx:0123456789ab"], [], [], False),                   # up to date: nothing is rebuilt
    (RUNNING, ["nginx:0123456789ab"], [{"package": "nginx"}], [], True),  # the mirror has changes for it
    (RUNNING, ["nginx:0123456789ab"], [], [{"package": "libc6"}], True),  # the base image is made again
    (RUNNING, [], [], [], True),                                        # the engine lacks its image
    ({"exists": False}, [], None, None, True),                          # no container, no image
])
def test_an_upgrade_builds_a_new_tag_only_when_something_is_behind(container, held, patches, base, needed):
    plan = upgrades.plan(container, "nginx", "nginx:0123456789ab", "0123456789ab", "1f2e3d4c",
                         held, patches, base)
    assert plan["needed"] is needed
    assert plan["image"] == "nginx:0123456789ab-1f2e3d4c"      # a new tag, never the old one rebuilt
    assert plan["entry"] == {"service": "nginx", "result": "up to date", "before": "nginx:0123456789ab",
                             "after": "nginx:0123456789ab", "changes": []}
    assert plan["previous"] == ({"id": "sha256:" + "a" * 64, "name": "nginx:0123456789ab"}
                                if container["exists"] else {})


def test_an_upgrade_state_that_is_not_hex_is_refused():
    with pytest.raises(ValueError, match="not hex"):
        upgrades.plan(RUNNING, "nginx", "nginx:0123456789ab", "0123456789ab", "../x", [], [], [])


def test_the_report_line_of_a_built_image_names_both_images_and_the_changes():
    plan = upgrades.plan(RUNNING, "nginx", "nginx:0123456789ab", "0123456789ab", "1f2e3d4c", [], [], [])
    before = "nginx 1.22.1-9+deb12u9\nlibc6 2.36-9+deb12u9\n"
    after = "nginx 1.22.1-9+deb12u11\nlibc6 2.36-9+deb12u9\nlibnew1 1.0-1\n"
    entry = upgrades.built(plan["entry"], plan, "sha256:" + "b" * 64, [before, after])
    assert entry["before"] == "nginx:0123456789ab (aaaaaaaaaaaa)"
    assert entry["after"] == "nginx:0123456789ab-1f2e3d4c (bbbbbbbbbbbb)"
    assert entry["changes"] == [{"package": "libnew1", "old": "", "new": "1.0-1"},
                                {"package": "nginx", "old": "1.22.1-9+deb12u9", "new": "1.22.1-9+deb12u11"}]
    assert entry["result"] == "up to date" and entry["service"] == "nginx"   # the rest is the swap's to say


def test_the_report_line_of_a_first_image_lists_every_package_as_new():
    plan = upgrades.plan({"exists": False}, "nginx", "nginx:0123456789ab", "0123456789ab", "1f2e3d4c",
                         [], [], [])
    entry = upgrades.built(plan["entry"], plan, "sha256:" + "c" * 64, ["nginx 1.22.1-9+deb12u11\n"])
    assert entry["before"] == "-"
    assert entry["changes"] == [{"package": "nginx", "old": "", "new": "1.22.1-9+deb12u11"}]


CONTEXT = {"files": [{"dest": "Dockerfile", "mode": "0644", "content": "FROM debian:bookworm\n"}]}
OLD = "nginx 1.22.1-9+deb12u9\nlibc6 2.36-9+deb12u9\n"
NEW = "nginx 1.22.1-9+deb12u11\nlibc6 2.36-9+deb12u9\n"


class Run(PluginRun):
    """A run of service_upgrade."""

    def __init__(self, answers, **args):
        super().__init__(ActionModule, "fortytwo.inception.service_upgrade", {
            "name": "nginx", "container": "nginx", "image": "nginx:0123456789ab", "context": CONTEXT,
            "content_tag": "0123456789ab", "package_state": "1f2e3d4c", "held": ["nginx:0123456789ab"],
            "build_dir": "/opt/inception/build/nginx", **args}, answers)


def test_nothing_behind_the_mirror_builds_nothing_after_one_look_at_the_container():
    run = Run({"community.docker.docker_container_info": RUNNING})
    result = run()
    assert run.modules() == ["docker_container_info"]
    assert (result["needed"], result["changed"]) == (False, False)
    assert result["entry"]["result"] == "up to date" and "failed" not in result


def test_an_image_behind_gets_a_new_tag_built_without_cache_and_both_images_packages_compared():
    run = Run({"community.docker.docker_container_info": RUNNING,
               "community.docker.docker_image": {"changed": True, "image": {"Id": "sha256:" + "b" * 64}},
               "community.docker.docker_container": [{"container": {"Output": OLD}}, {"container": {"Output": NEW}}]},
              patches=[{"package": "nginx", "old": "1.22.1-9+deb12u9", "new": "1.22.1-9+deb12u11"}],
              build_args={"INCEPTION_APT_RELEASE": ""})
    result = run()
    assert run.modules() == ["docker_container_info", "context_files", "docker_image", "docker_container",
                             "docker_container"]
    build = run.calls[2][1]
    # A new tag, never the old one rebuilt; from the mirror as it is now.
    assert (build["name"], build["tag"], build["force_source"], build["build"]["nocache"]) == (
        "nginx", "0123456789ab-1f2e3d4c", True, True)
    assert build["build"]["labels"]["fortytwo.inception.context"] == "0123456789ab-1f2e3d4c"
    # The packages of the image it ran, then of the new one, in throwaway containers without network.
    assert [args["image"] for _m, args, _w in run.calls[3:]] == ["sha256:" + "a" * 64, "nginx:0123456789ab-1f2e3d4c"]
    assert all(args["network_mode"] == "none" and args["cleanup"] for _m, args, _w in run.calls[3:])
    assert (result["changed"], result["needed"], result["image"]) == (True, True, "nginx:0123456789ab-1f2e3d4c")
    assert result["entry"]["changes"] == [{"package": "nginx", "old": "1.22.1-9+deb12u9", "new": "1.22.1-9+deb12u11"}]
    assert result["entry"]["after"] == "nginx:0123456789ab-1f2e3d4c (bbbbbbbbbbbb)"


def test_a_failed_build_fails_with_the_decision_kept_for_the_rollback():
    run = Run({"community.docker.docker_container_info": RUNNING,
               "community.docker.docker_image": {"failed": True, "msg": "E: Unable to locate package nginx"}},
              base_behind=[{"package": "libc6"}])
    result = run()
    assert result["failed"] and "Unable to locate package nginx" in result["msg"]
    assert result["previous"] == {"id": "sha256:" + "a" * 64, "name": "nginx:0123456789ab"}
    assert result["image"] == "nginx:0123456789ab-1f2e3d4c" and result["entry"]["changes"] == []
    assert run.modules()[-1] == "docker_image"  # no package read after a failed build


APT = ("Inst libc6 [2.36-9+deb12u9] (2.36-9+deb12u10 Debian-Security:12/stable-security [amd64])\n"
       "Inst libnew1 (1.0-1 Debian:12/stable [amd64])\n")


def test_the_lists_are_fetched_once_then_each_image_simulates_an_upgrade_without_network():
    calls = []

    def module(module_name=None, module_args=None, task_vars=None, wrap_async=False):
        assert_documented(module_name, module_args)
        calls.append((module_name, module_args))
        if module_args.get("entrypoint") == ["apt-get"]:
            return {"container": {"Output": APT if module_args["image"] == "nginx:0123456789ab" else "0 upgraded\n"}}
        return {"changed": module_name.endswith("directories")}

    plugin = stand_in(PatchesModule, "fortytwo.inception.image_patches", {
        "images": ["debian:bookworm", "nginx:0123456789ab"], "base_image": "debian:bookworm",
        "lists_dir": "/opt/inception/apt-lists", "owner": 100000, "group": 100000, "name_prefix": "jdoe_"}, module)
    result = plugin.run(task_vars={})
    assert [name.split(".")[-1] for name, _args in calls] == [
        "directories", "docker_container", "docker_container", "docker_container"]
    assert calls[0][1]["directories"][0]["owner"] == "100000"
    fetch = calls[1][1]
    assert fetch["image"] == "debian:bookworm" and fetch["command"] == ["apt-get", "update", "-qq"]
    for _name, args in calls[2:]:
        assert args["network_mode"] == "none" and args["mounts"][0]["read_only"] is True
    # A cache made and read: no change reported.
    assert result["changed"] is False
    assert result["patches"] == {
        "debian:bookworm": [],
        "nginx:0123456789ab": [{"package": "libc6", "old": "2.36-9+deb12u9", "new": "2.36-9+deb12u10"},
                               {"package": "libnew1", "old": "", "new": "1.0-1"}]}


def test_a_mirror_that_does_not_answer_fails_naming_the_step():
    def module(module_name=None, module_args=None, task_vars=None, wrap_async=False):
        if module_args.get("command") == ["apt-get", "update", "-qq"]:
            return {"failed": True, "msg": "Temporary failure resolving 'deb.debian.org'"}
        return {}

    plugin = stand_in(PatchesModule, "fortytwo.inception.image_patches", {
        "images": ["debian:bookworm"], "base_image": "debian:bookworm", "lists_dir": "/l"}, module)
    with pytest.raises(AnsibleActionFail, match="fetching Debian's package lists with debian:bookworm: Temporary"):
        plugin.run(task_vars={})


@pytest.mark.parametrize("digest, fails", [("0e809e35", False), ("", True)])
def test_for_an_upgrade_the_lists_are_digested_and_lists_without_a_release_refused(digest, fails):
    calls = []

    def module(module_name=None, module_args=None, task_vars=None, wrap_async=False):
        calls.append(module_name)
        return {"apt_lists_digest": digest} if module_name.endswith("host_facts") else {}

    plugin = stand_in(PatchesModule, "fortytwo.inception.image_patches", {
        "images": ["debian:bookworm"], "base_image": "debian:bookworm", "lists_dir": "/l", "digest": True}, module)
    if fails:
        with pytest.raises(AnsibleActionFail, match="/l holds no Release file .* the mirror did not answer"):
            plugin.run(task_vars={})
    else:
        assert plugin.run(task_vars={})["lists_digest"] == "0e809e35"
    assert calls[-1] == "fortytwo.inception.host_facts"
