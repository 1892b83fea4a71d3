# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Action plugin of fortytwo.inception.service_container: a service's
volumes and its container, started and healthy (the documentation is in
plugins/modules/service_container.py; the arguments are made by
plugins/plugin_utils/containers.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.fortytwo.inception.plugins.modules.service_container import ARGUMENT_SPEC
from ansible_collections.fortytwo.inception.plugins.plugin_utils import containers
from ansible_collections.fortytwo.inception.plugins.plugin_utils.modules import run_module


class ActionModule(ActionBase):
    """docker_volume for each volume, then docker_container: the modules compare."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        service = args["service"]
        missing = {"name", "container"} - set(service)
        if missing:
            raise AnsibleActionFail("service lacks %s" % ", ".join(sorted(missing)))
        try:
            starting = containers.first_start(service.get("volumes"), args["unset_paths"])
            container = containers.container_args(
                service, args["image"], args["profile"], args["network"], labels=args["labels"],
                secrets_dir=args["secrets_dir"], starting=starting, blkio_device=args["blkio_device"],
                blkio_weight_supported=args["blkio_weight_supported"], engine_version=args["engine_version"],
                wait=args["healthy_wait"])
            # An older engine's first check comes a whole interval after the
            # start: the plugin runs the check itself until it passes.
            probe = None
            if container["state"] == "started":
                probe = (containers.probe_argv(container["healthcheck"]),
                         containers.healthy_wait(args["profile"], starting, args["healthy_wait"]))
            volumes = [containers.volume_args(volume) for volume in service.get("volumes") or []]
        except (KeyError, ValueError) as error:
            raise AnsibleActionFail("%s: %s" % (service["name"], error))
        changed = []
        test, reload = containers.config_steps(service, args["new_image"], args["changed_files"])
        try:
            if args["build_job"]:
                self._wait_for_build(args["image"], args["build_job"], args["build_timeout"], task_vars)
            if test or reload:
                self._configure(service, args["image"], test, reload, args["new_image"],
                                containers.changed_host_files(service, args["changed_files"]), task_vars)
            for volume in volumes:
                answer = run_module(self, "community.docker.docker_volume", volume, task_vars,
                                    failure="volume %s: " % volume["volume_name"])
                if answer.get("changed"):
                    changed.append("volume " + volume["volume_name"])
            started = time.monotonic()
            answer = self._execute_module(module_name="community.docker.docker_container", module_args=container,
                                          task_vars=task_vars)
            reason = answer.get("msg", "failed") if answer.get("failed") else None
            # Healthy already (a rerun), nothing to wait for; check mode starts nothing.
            if not reason and probe and not self._task.check_mode and (
                    containers.health_status(answer.get("container")) != "healthy"):
                reason = self._probe(container["name"], probe[0], probe[1], task_vars)
            seconds = time.monotonic() - started
            if reason:
                # The report alone: the container's whole inspect would bury it.
                raise AnsibleActionFail(self._why(container["name"], reason, args["log_lines"], task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        if answer.get("changed"):
            changed.append("container " + container["name"])
        result.update(answer)
        result.update(changed=bool(changed), first_start=starting, changes=changed, tested=test, reloaded=reload,
                      seconds=round(seconds, 1))
        return result

    def _wait_for_build(self, image, job, timeout, task_vars):
        """Wait for the build of `image` the stack's step started in the
        background (job, its async job ID), asking async_status every
        BUILD_PACE seconds, as an async_status task with `until` does; a
        build that fails, or outlasts `timeout` seconds, fails the task
        saying so, and nothing starts."""
        async_dir = self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))
        deadline = time.monotonic() + timeout
        while True:
            status = self._execute_module(module_name="ansible.legacy.async_status",
                                          module_args={"jid": job, "_async_dir": async_dir}, task_vars=task_vars)
            if status.get("failed"):
                raise AnsibleActionFail("the build of %s failed: %s" % (image, status.get("msg", "no message")),
                                        result=status)
            if status.get("finished"):
                return
            if time.monotonic() >= deadline:
                raise AnsibleActionFail("the build of %s did not finish within %d seconds (service_build_timeout)"
                                        % (image, timeout))
            time.sleep(containers.BUILD_PACE)

    def _probe(self, name, argv, timeout, task_vars):
        """Run the container's health check (docker_container_exec) every
        PROBE_PACE seconds until it passes: None; or, after `timeout`
        seconds, why it did not (the check's last answer)."""
        deadline = time.monotonic() + timeout
        while True:
            check = self._execute_module(module_name="community.docker.docker_container_exec",
                                         module_args={"container": name, "argv": argv}, task_vars=task_vars)
            if not check.get("failed") and check.get("rc") == 0:
                return None
            if time.monotonic() >= deadline:
                last = check.get("msg") if check.get("failed") else "exit %s: %s" % (
                    check.get("rc"), (check.get("stdout", "") + " " + check.get("stderr", "")).strip())
                return "its health check did not pass within %d seconds (the last: %s)" % (timeout, last)
            time.sleep(containers.PROBE_PACE)

    def _why(self, name, reason, lines, task_vars):
        """What keeps a container from being healthy: its state and health
        checks, and its last log lines (no community.docker module reads a
        container's log: `docker logs`)."""
        info = self._execute_module(module_name="community.docker.docker_container_info",
                                    module_args={"name": name}, task_vars=task_vars)
        logs = self._execute_module(module_name="ansible.legacy.command", module_args={
            "argv": ["docker", "logs", "--tail", str(lines), name]}, task_vars=task_vars)
        return containers.unhealthy_report(name, reason, info, (logs.get("stdout_lines") or [])
                                           + (logs.get("stderr_lines") or []), lines)

    def _configure(self, service, image, test, reload, new_image, changed, task_vars):
        """Test, then swap: the configuration test in a throwaway container of
        the image; the running daemon reloads the files of the host once they
        are tested. Refused: a new image is removed (the next run builds and
        tests it again), the `changed` files of the host too (written and
        tested again), and the running container is left as it is."""
        name = service["container"]
        try:
            if test:
                run_module(self, "community.docker.docker_container", containers.config_test_args(service, image),
                           task_vars, failure="")
            if reload:
                running = self._execute_module(module_name="community.docker.docker_container_info",
                                               module_args={"name": name}, task_vars=task_vars)
                if ((running.get("container") or {}).get("State") or {}).get("Running"):
                    run_module(self, "community.docker.docker_container_exec",
                               {"container": name, "argv": list(service["config_reload"])}, task_vars, failure="")
        except AnsibleActionFail as error:
            if new_image:
                self._execute_module(module_name="community.docker.docker_image",
                                     module_args={"name": image, "state": "absent"}, task_vars=task_vars)
            for path in changed:
                self._execute_module(module_name="ansible.legacy.file", module_args={"path": path, "state": "absent"},
                                     task_vars=task_vars)
            raise AnsibleActionFail("%s refused the configuration of %s: %s" % (service["name"], image, error.message),
                                    result=error.result)
