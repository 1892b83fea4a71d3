# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Action plugin of fortytwo.inception.service_plan: a service's inputs
checked, its build context rendered on the controller, its image named after
it, and its entry of the run's plan (the documentation is in
plugins/modules/service_plan.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader

from ansible_collections.fortytwo.inception.plugins.modules.service_plan import ARGUMENT_SPEC
from ansible_collections.fortytwo.inception.plugins.plugin_utils.images import image_tag, versioned_tag

# The container profile's spec: the service role's, the one place it is declared.
PROFILE_SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "service", "meta", "argument_specs.yml")


def profile_spec():
    with open(PROFILE_SPEC) as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    return specs["main"]["options"]["inception_container_profile"]["options"]


class TemplateVars(dict):
    """The task's variables as the template lookup reads them: its copy of
    them for each file (a deepcopy, ansible-core's own FIXME asks for a
    chainmap) is a shallow one, which is enough, as a template only reads
    them and the lookup adds its own at the top (a deepcopy of every
    variable took 0.04 s a file, most of this task's time)."""

    def __deepcopy__(self, memo):
        return dict(self)


def input_errors(role, service, profile):
    """What is wrong with a service's inputs, every problem at once: its
    container's settings against the profile's spec (named after where they
    come from), then each of its checks that is not true (a check that is not
    a boolean fails: a wrong check refuses, it never passes)."""
    name = ("the container of %s (inception_container_profile, its role's profile, inception_service_overrides.%s)"
            % (role, role))
    spec = {name: {"type": "dict", "options": profile_spec()}}
    errors = list(ArgumentSpecValidator(spec).validate({name: profile}).error_messages)
    errors += [str(check.get("msg", "")) for check in service.get("checks") or [] if check.get("ok") is not True]
    return errors


def plan_entry(service, profile, context, host_files=None):
    """What the site playbook does with a service, from its description: the
    entry of the plan stack.yml and deploy.yml read (`host_files`: its files
    of the host, rendered, or None)."""
    return {
        "name": service["name"], "container": service["container"], "image": context["image"], "profile": profile,
        "context": {"image": context["image"], "files": context["files"]}, "content_tag": context["content_tag"],
        "secrets": list(service.get("secrets") or []), "secret_owners": dict(service.get("secret_owners") or {}),
        "directories": list(service.get("directories") or []) + list(service.get("volumes") or []),
        "volumes": list(service.get("volumes") or []), "summary": list(service.get("summary") or []),
        "host_files": host_files,
        # The description itself, as checked: the site playbook's deploy
        # hands it to the service role, without including its role again.
        "service": service,
    }


class ActionModule(ActionBase):
    """Check, render, name, plan; change nothing."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        service, role = args["service"], args["role"]
        errors = input_errors(role, service, args["profile"])
        if errors:
            raise AnsibleActionFail(" ".join(errors))
        context = self._render(service, args, task_vars)
        host_files = service.get("host_files")
        if host_files:
            host_files = {"directory": host_files["directory"], "absent": list(host_files["absent"]),
                          "files": [{"dest": entry["dest"], "mode": entry["mode"], "content": text} for entry, text
                                    in zip(host_files["files"], self._templates(host_files["files"], args, task_vars))]}
        result.update(changed=False, image=context["image"],
                      entry=plan_entry(service, args["profile"], context, host_files or None))
        return result

    def _templates(self, entries, args, task_vars):
        """Each entry's template (`src`, in the role's templates) rendered
        exactly as the playbook's own templating does: the role's variables,
        ansible_managed, includes."""
        lookup = lookup_loader.get("ansible.builtin.template", loader=self._loader, templar=self._templar)
        return [str(text) for text in lookup.run([os.path.join(args["templates"], entry["src"]) for entry in entries],
                                                 variables=TemplateVars(task_vars))]

    def _render(self, service, args, task_vars):
        """Every file of the build context rendered as the template module
        would, the image named after them (plugin_utils/images.py)."""
        # Each entry is src, dest and mode, strings: the spec checked them.
        files = service["build_files"]
        rendered = self._templates(files, args, task_vars)
        content_tag = image_tag(rendered, files, args["base_image"])
        try:
            tag = versioned_tag(content_tag, args["package_state"])
        except ValueError as error:
            raise AnsibleActionFail("package state of %s: %s" % (service["name"], error))
        return {"image": "%s:%s" % (service["name"], tag), "content_tag": content_tag,
                "files": [{"dest": entry["dest"], "mode": entry["mode"], "content": text}
                          for entry, text in zip(files, rendered)]}
