"""The service_image action plugin (plugins/action/service_image.py) drives
the community.docker modules as its decisions say: which modules run, in
which order, with which arguments, for each case, and what it returns. The
modules are stood in for here; the molecule scenarios run the real ones."""
import functools
from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible.plugins.loader import fragment_loader, module_loader
from ansible.utils.plugin_docs import get_docstring

from ansible_collections.fortytwo.inception.plugins.action.service_image import ActionModule

IMAGE = "mariadb:0123456789ab"
OURS = {"fortytwo.inception.service": "mariadb", "fortytwo.inception.context": "0123456789ab"}
CONTEXT = {"image": IMAGE, "files": [{"dest": "Dockerfile", "mode": "0644", "content": "FROM debian:bookworm\n"},
                                     {"dest": "conf/60.cnf", "mode": "0644", "content": "[mysqld]\n"}]}


@functools.lru_cache(maxsize=None)
def documented(module):
    """The options a module documents (its doc fragments included), and for
    each dict option the suboptions it documents."""
    found = module_loader.find_plugin_with_context(module)
    assert found.resolved, f"{module} is not installed"
    options = get_docstring(found.plugin_resolved_path, fragment_loader,
                            collection_name=found.plugin_resolved_collection)[0]["options"]
    return {name: set(option.get("suboptions") or {}) for name, option in options.items()}


def assert_documented(module, module_args):
    """What the real module would refuse: an option, or a suboption of a dict
    or of a list's dicts, that it does not document."""
    options = documented(module)
    # Ansible's own internal arguments (async_status's _async_dir) are no option of the module.
    module_args = {name: value for name, value in module_args.items() if not name.startswith("_")}
    assert set(module_args) <= set(options), (module, set(module_args) - set(options))
    for name, value in module_args.items():
        for entry in value if isinstance(value, list) else [value]:
            if options[name] and isinstance(entry, dict):
                assert set(entry) <= options[name], (module, name, set(entry) - options[name])


def stand_in(action_module, action, args, execute):
    """An action plugin of ours whose module calls go to `execute`."""
    task = SimpleNamespace(args=args, async_val=0, check_mode=False, action=action, environment=[])
    plugin = action_module(task, SimpleNamespace(_shell=SimpleNamespace(tmpdir=None)), None, None, None, None)
    plugin._execute_module = execute
    plugin._remove_tmp_path = lambda path: None
    return plugin


class PluginRun:
    """One run of an action plugin of ours against stand-in modules that
    answer `answers` (module name -> result, or a list of results in turn)."""

    def __init__(self, action_module, action, args, answers=None):
        self.calls, self.answers = [], dict(answers or {})
        self.plugin = stand_in(action_module, action, args, self.module)

    def module(self, module_name=None, module_args=None, task_vars=None, wrap_async=False):
        assert_documented(module_name, module_args)
        self.calls.append((module_name, module_args, wrap_async))
        answer = self.answers.get(module_name, {})
        if isinstance(answer, list):
            answer = answer.pop(0)
        return dict(answer)

    def __call__(self):
        return self.plugin.run(task_vars={})

    def modules(self):
        return [name.split(".")[-1] for name, _args, _wrap in self.calls]


class Run(PluginRun):
    """A run of service_image."""

    def __init__(self, answers=None, **args):
        super().__init__(ActionModule, "fortytwo.inception.service_image", {
            "name": "mariadb", "context": CONTEXT, "build_dir": "/opt/inception/build/mariadb", **args}, answers)


def test_our_build_is_kept_without_a_module_call():
    run = Run(engine_images=[{"RepoTags": [IMAGE], "Labels": OURS}])
    result = run()
    assert run.calls == []
    assert (result["action"], result["changed"], result["new"], result["image"]) == ("kept", False, False, IMAGE)


def test_without_the_engines_list_it_asks_for_the_image_alone():
    run = Run({"community.docker.docker_image_info": {"images": [{"Config": {"Labels": OURS}}]}})
    assert run()["action"] == "kept"
    assert run.calls == [("community.docker.docker_image_info", {"name": [IMAGE]}, False)]


def test_a_missing_image_is_built_from_its_context_with_our_labels():
    run = Run(engine_images=[], build_args={"INCEPTION_APT_RELEASE": ""})
    result = run()
    # The whole context in one call, then the build.
    assert run.modules() == ["context_files", "docker_image"]
    assert run.calls[0][1] == {"directory": "/opt/inception/build/mariadb", "files": CONTEXT["files"]}
    build = run.calls[-1][1]
    assert (build["name"], build["tag"], build["source"], build["force_source"]) == ("mariadb", "0123456789ab", "build", False)
    assert build["build"]["labels"] == OURS and build["build"]["pull"] is False
    assert (result["action"], result["changed"], result["new"], result["job"]) == ("built", True, True, "")


def test_a_tag_held_by_something_else_is_built_over_never_kept():
    run = Run(engine_images=[{"RepoTags": [IMAGE], "Labels": {"maintainer": "someone"}}])
    result = run()
    assert run.modules()[-1] == "docker_image" and run.calls[-1][1]["force_source"] is True
    assert result["action"] == "rebuilt" and result["new"]


def test_a_background_build_returns_its_job_at_once():
    run = Run({"community.docker.docker_image": {"ansible_job_id": "j42", "started": 1}}, engine_images=[],
              background=True, timeout=600)
    result = run()
    assert run.calls[-1][2] is True  # wrapped async
    assert run.plugin._task.async_val == 0  # the task is left as it was
    assert (result["action"], result["job"]) == ("building", "j42")


def test_a_fleets_host_pulls_checks_and_names_the_image():
    pulled = {"image": {"Config": {"Labels": OURS}}}
    run = Run({"community.docker.docker_image_pull": pulled}, engine_images=[], fleet_registry="registry.jdoe.42.fr")
    result = run()
    assert run.modules() == ["docker_image_pull", "docker_image_tag", "docker_image_remove"]
    assert run.calls[0][1] == {"name": "registry.jdoe.42.fr/" + IMAGE, "pull": "always"}
    assert run.calls[1][1]["repository"] == [IMAGE]
    assert (result["action"], result["new"]) == ("pulled", True)


def test_a_foreign_image_in_the_registry_is_refused_and_never_named():
    pulled = {"image": {"Config": {"Labels": {"fortytwo.inception.service": "evil"}}}}
    run = Run({"community.docker.docker_image_pull": pulled}, engine_images=[], fleet_registry="registry.jdoe.42.fr")
    with pytest.raises(AnsibleActionFail, match="is not the build of the context this host renders"):
        run()
    assert run.modules() == ["docker_image_pull"]


def test_a_tag_the_registry_lacks_is_built_here_and_other_pull_errors_stop():
    lacks = {"failed": True, "msg": "Error pulling registry.x/mariadb - code: None message: manifest unknown"}
    run = Run({"community.docker.docker_image_pull": lacks}, engine_images=[], fleet_registry="registry.x")
    assert run()["action"] == "built"
    refused = {"failed": True, "msg": "unauthorized: authentication required"}
    run = Run({"community.docker.docker_image_pull": refused}, engine_images=[], fleet_registry="registry.x")
    with pytest.raises(AnsibleActionFail, match="unauthorized"):
        run()
    assert "docker_image" not in run.modules()


def test_an_upgrade_builds_fresh_over_our_own_build():
    run = Run(engine_images=[{"RepoTags": [IMAGE], "Labels": OURS}], force=True)
    result = run()
    build = run.calls[-1][1]
    assert build["force_source"] is True and build["build"]["nocache"] is True
    assert result["action"] == "rebuilt"


def test_the_builder_pushes_under_the_registrys_name():
    held = [{"RepoTags": [IMAGE], "Labels": OURS}]
    run = Run({"community.docker.docker_image_push": {"changed": True}}, engine_images=held,
              push_to="registry.jdoe.42.fr")
    result = run()
    assert run.modules() == ["docker_image_tag", "docker_image_push"]
    assert run.calls[1][1] == {"name": "registry.jdoe.42.fr/" + IMAGE}
    assert result["pushed"] is True and result["changed"] is True


def test_a_context_without_a_content_tag_is_refused():
    run = Run(context={"image": "mariadb:latest", "files": []})
    with pytest.raises(AnsibleActionFail, match="never latest"):
        run()
