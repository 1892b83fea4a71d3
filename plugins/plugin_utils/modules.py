# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""How the collection's action plugins (service_image, service_container)
run a module on the host: the community.docker modules do the work, a
failure fails the task with the module's own message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail


def run_module(action, module, module_args, task_vars, failure=None, wrap_async=False):
    """The result of `module` run by the action plugin `action`; when it
    fails, the task fails with `failure` (default: the module's name and a
    colon) before the module's message, and the module's result."""
    answer = action._execute_module(module_name=module, module_args=module_args, task_vars=task_vars,
                                    wrap_async=wrap_async)
    if answer.get("failed"):
        prefix = "%s: " % module if failure is None else failure
        raise AnsibleActionFail(prefix + str(answer.get("msg", "failed")), result=answer)
    return answer
