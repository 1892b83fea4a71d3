# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Action plugin of fortytwo.inception.service_upgrade: whether a service
gets a new image in `make upgrade`, and that image built and compared with
the one it replaces (the documentation is in
plugins/modules/service_upgrade.py; the decisions in
plugins/plugin_utils/upgrades.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail

from ansible_collections.fortytwo.inception.plugins.action.service_image import ActionModule as ServiceImage
from ansible_collections.fortytwo.inception.plugins.modules.service_upgrade import ARGUMENT_SPEC
from ansible_collections.fortytwo.inception.plugins.plugin_utils import images, upgrades

# How an image's packages are read: in a throwaway container of it, no network.
PACKAGES = {"entrypoint": ["dpkg-query"], "command": ["-W", "-f=${Package} ${Version}\\n"], "user": "root",
            "network_mode": "none", "detach": False, "cleanup": True}


class ActionModule(ServiceImage):
    """Decide from the container and the mirror; build the new tag (as
    service_image builds, without the layer cache); read both images'
    packages. A failure returns what was decided, for the rollback."""

    def run(self, tmp=None, task_vars=None):
        result = super(ServiceImage, self).run(tmp, task_vars)
        del tmp
        self._vars = task_vars
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            running = self._module("community.docker.docker_container_info", {"name": args["container"]})
            decided = upgrades.plan(running, args["name"], args["image"], args["content_tag"], args["package_state"],
                                    args["held"], args["patches"], args["base_behind"])
        except ValueError as error:
            raise AnsibleActionFail("the upgrade of %s: %s" % (args["name"], error))
        result.update(decided, changed=False)
        try:
            if decided["needed"]:
                result.update(self._new_image(args, decided), changed=True)
        except AnsibleActionFail as error:
            result.update(failed=True, msg=str(error.message))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _new_image(self, args, decided):
        repository, tag = images.split_image(decided["image"])
        build = dict(args, context=dict(args["context"], image=decided["image"]), force=True, background=False)
        image_id = self._build(build, repository, tag, force_source=False)["image_id"]
        packages = [self._packages(args["container"], image) for image in
                    ([decided["previous"]["id"]] if decided["previous"] else []) + [decided["image"]]]
        return {"image_id": image_id, "entry": upgrades.built(decided["entry"], decided, image_id, packages)}

    def _packages(self, container, image):
        read = self._module("community.docker.docker_container",
                            dict(PACKAGES, name=container + "-packages", image=image))
        return (read.get("container") or {}).get("Output", "")
