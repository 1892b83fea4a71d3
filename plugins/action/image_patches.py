# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Action plugin of fortytwo.inception.image_patches: what each image lacks
of Debian's mirror, without a build (the documentation is in
plugins/modules/image_patches.py; the reading in
plugins/plugin_utils/upgrades.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.fortytwo.inception.plugins.modules.image_patches import ARGUMENT_SPEC
from ansible_collections.fortytwo.inception.plugins.plugin_utils.modules import run_module
from ansible_collections.fortytwo.inception.plugins.plugin_utils.upgrades import apt_upgrades

LISTS = "/var/lib/apt/lists"


class ActionModule(ActionBase):
    """The mirror's lists fetched once, then a simulation in each image."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        lists, prefix = args["lists_dir"], args["name_prefix"]
        try:
            # A cache of the mirror's lists, owned as apt sees it (container
            # root, as the engine maps it): making it is no change.
            run_module(self, "fortytwo.inception.directories", {
                "directories": [{"path": lists, "owner": str(args["owner"]), "group": str(args["group"]),
                                 "mode": "0755"}],
                "shift": args["shift"]}, task_vars)
            run_module(self, "community.docker.docker_container", {
                "name": prefix + "inception-apt-lists", "image": args["base_image"],
                "command": ["apt-get", "update", "-qq"],
                "mounts": [{"type": "bind", "source": lists, "target": LISTS}],
                "detach": False, "cleanup": True}, task_vars,
                failure="fetching Debian's package lists with %s: " % args["base_image"])
            patches = {}
            for image in args["images"]:
                simulated = run_module(self, "community.docker.docker_container", {
                    "name": prefix + "inception-apt-check", "image": image, "entrypoint": ["apt-get"],
                    "command": ["-s", "-o", "Debug::NoLocking=1", "dist-upgrade"], "user": "root",
                    "mounts": [{"type": "bind", "source": lists, "target": LISTS, "read_only": True}],
                    "network_mode": "none", "detach": False, "cleanup": True}, task_vars,
                    failure="simulating an upgrade in %s: " % image)
                patches[image] = apt_upgrades((simulated.get("container") or {}).get("Output", ""))
            # The package state of an image built from these lists: part of its tag.
            digest = run_module(self, "fortytwo.inception.host_facts", {"host": False, "apt_lists": lists},
                                task_vars)["apt_lists_digest"] if args["digest"] else ""
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        if args["digest"] and not digest and not self._task.check_mode:
            raise AnsibleActionFail(
                "%s holds no Release file after `apt-get update` in a container of %s: the mirror did not answer. "
                "Nothing was changed; run make upgrade again." % (lists, args["base_image"]))
        result.update(changed=False, patches=patches, lists_digest=digest)
        return result
