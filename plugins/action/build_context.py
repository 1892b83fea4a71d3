# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Action plugin of fortytwo.inception.build_context: a service's build
context rendered on the controller, and its image named after it (the
documentation is in plugins/modules/build_context.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader

from ansible_collections.fortytwo.inception.plugins.modules.build_context import ARGUMENT_SPEC
from ansible_collections.fortytwo.inception.plugins.plugin_utils.images import image_tag, versioned_tag


class ActionModule(ActionBase):
    """Render, name, change nothing."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        files = []
        for entry in args["build_files"]:
            missing = {"src", "dest", "mode"} - set(entry)
            if missing:
                raise AnsibleActionFail("build_files of %s: %r lacks %s" % (args["name"], entry, ", ".join(sorted(missing))))
            files.append({"src": str(entry["src"]), "dest": str(entry["dest"]), "mode": str(entry["mode"])})
        # The template lookup renders exactly as the playbook's own
        # templating does: the role's variables, ansible_managed, includes.
        lookup = lookup_loader.get("ansible.builtin.template", loader=self._loader, templar=self._templar)
        rendered = lookup.run([os.path.join(args["templates"], entry["src"]) for entry in files],
                              variables=task_vars)
        rendered = [str(text) for text in rendered]
        content_tag = image_tag(rendered, files, args["base_image"])
        try:
            tag = versioned_tag(content_tag, args["package_state"])
        except ValueError as error:
            raise AnsibleActionFail("package state of %s: %s" % (args["name"], error))
        result.update(
            changed=False,
            image="%s:%s" % (args["name"], tag),
            tag=tag,
            content_tag=content_tag,
            files=[{"dest": entry["dest"], "mode": entry["mode"], "content": text}
                   for entry, text in zip(files, rendered)],
        )
        return result
