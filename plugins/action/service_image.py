# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Action plugin of fortytwo.inception.service_image: the image a service
runs, kept, pulled or built (the documentation is in
plugins/modules/service_image.py; the decisions in
plugins/plugin_utils/images.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.fortytwo.inception.plugins.modules.service_image import ARGUMENT_SPEC
from ansible_collections.fortytwo.inception.plugins.plugin_utils import images
from ansible_collections.fortytwo.inception.plugins.plugin_utils.modules import run_module


class ActionModule(ActionBase):
    """Keep our build, pull the fleet's, or build; never run anything else."""

    # Module calls make their own temporary directory: none is made up front
    # for a kept image.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._vars = task_vars
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        name = args["name"]
        image = str(args["context"].get("image", ""))
        try:
            repository, tag = images.split_image(image)
        except ValueError as error:
            raise AnsibleActionFail("context of %s: %s" % (name, error))
        result.update(changed=False, image=image, job="", new=False)
        try:
            if args["engine_images"] is None:
                labels = self._labels(image)
            else:
                labels = images.held_labels(args["engine_images"], image)
            action = images.decide(name, image, labels, bool(args["fleet_registry"]), args["force"])
            result["decision"] = action
            if action == images.PULL:
                if self._pull(name, image, args["fleet_registry"]):
                    result.update(changed=True, action="pulled", new=True)
                else:
                    action = images.BUILD if labels is None else images.REBUILD
            if action in (images.BUILD, images.REBUILD):
                result.update(self._build(args, repository, tag, force_source=action == images.REBUILD))
            elif action == images.KEEP:
                result["action"] = "kept"
            if args["push_to"]:
                result["pushed"] = self._push(image, args["push_to"])
                result["changed"] = result["changed"] or result["pushed"]
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _module(self, module, module_args, wrap_async=False):
        return run_module(self, module, module_args, self._vars, wrap_async=wrap_async)

    def _labels(self, image):
        found = self._module("community.docker.docker_image_info", {"name": [image]})
        if not found.get("images"):
            return None
        return (found["images"][0].get("Config") or {}).get("Labels") or {}

    def _pull(self, name, image, registry):
        """Pull from the fleet's registry, check it is our build, name it as
        this host's templates do. False when the registry lacks the tag."""
        source = "%s/%s" % (registry, image)
        # What the registry holds now, not a copy an earlier run left here.
        answer = self._execute_module(module_name="community.docker.docker_image_pull",
                                      module_args={"name": source, "pull": "always"}, task_vars=self._vars)
        if answer.get("failed"):
            if images.registry_lacks(answer.get("msg")):
                return False
            raise AnsibleActionFail("pulling %s: %s" % (source, answer.get("msg", "failed")), result=answer)
        labels = ((answer.get("image") or {}).get("Config") or {}).get("Labels") or {}
        refused = images.refusal(name, image, labels, source)
        if refused:
            raise AnsibleActionFail(refused)
        self._module("community.docker.docker_image_tag",
                     {"name": source, "repository": [image]})
        self._module("community.docker.docker_image_remove", {"name": source})
        return True

    def _build(self, args, repository, tag, force_source):
        """Write the build context, then build (in the background, when asked)."""
        directory = args["build_dir"]
        # The whole context in one call (a copy per file was two module calls each).
        self._module("fortytwo.inception.context_files",
                     {"directory": directory, "files": args["context"].get("files") or []})
        build = {
            "name": repository,
            "tag": tag,
            "source": "build",
            "force_source": force_source or args["force"],
            "build": {
                "path": directory,
                "pull": False,
                "nocache": args["force"],
                "rm": True,
                "args": args["build_args"],
                "labels": {images.LABEL_SERVICE: args["name"], images.LABEL_CONTEXT: tag},
            },
            "state": "present",
        }
        action = "rebuilt" if force_source or args["force"] else "built"
        if not args["background"]:
            done = self._module("community.docker.docker_image", build)
            return {"changed": True, "action": action, "new": True, "image_id": (done.get("image") or {}).get("Id", "")}
        saved = self._task.async_val
        self._task.async_val = args["timeout"]
        try:
            started = self._module("community.docker.docker_image", build, wrap_async=True)
        finally:
            self._task.async_val = saved
        return {"changed": True, "action": "building", "job": started["ansible_job_id"], "new": True}

    def _push(self, image, registry):
        target = "%s/%s" % (registry, image)
        tagged = self._module("community.docker.docker_image_tag", {"name": image, "repository": [target]})
        pushed = self._module("community.docker.docker_image_push", {"name": target})
        return bool(tagged.get("changed") or pushed.get("changed"))
