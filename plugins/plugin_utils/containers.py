# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""A service's container, as plain functions the action plugin
service_container calls and the unit tests exercise: the docker_volume
arguments of its volumes and the docker_container arguments of its
container, from its description (the service role's `service`), its
container profile and what the host said (container root, block I/O, the
engine's version). kolla-ansible's way: the container is data, the logic is
Python, the work is the community.docker modules'."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

HEALTHCHECK_DEFAULTS = {"test": ["CMD", "/usr/local/bin/healthcheck.sh"], "interval": "5s", "timeout": "10s",
                        "retries": 3, "start_interval": "1s"}
# Docker Engine 25 (API 1.44) runs the checks of the start period at
# start_interval; an older engine (Debian 12's 20.10) has no such setting.
START_INTERVAL_ENGINE = 25
# How often the service_container plugin runs the health check itself on an
# older engine, until it passes (the engine's start_interval, by hand).
PROBE_PACE = 0.5
# Seconds between two questions to a build the stack's step started in the background.
BUILD_PACE = 2
SECRETS_TARGET = "/run/secrets"
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
# The settings of the description passed to docker_container as they are, when given.
_PASSED = ("published_ports", "env", "tmpfs", "user", "init")


def _engine_major(version):
    match = re.match(r"\s*(\d+)\.", str(version or ""))
    return int(match[1]) if match else 0


def healthcheck(spec, start_period, engine_version=""):
    """docker_container's healthcheck: the service's settings (test,
    interval, timeout, retries, start_period, start_interval) over the
    defaults, start_period defaulting to `start_period`. On an engine of
    version 25 or later, start_interval too (default 1s): during the start
    period the checks run at that pace, so a service is healthy about when it
    is ready, not a whole interval later. On an older engine, none: it would
    refuse it."""
    check = dict(HEALTHCHECK_DEFAULTS, start_period=start_period)
    check.update(spec or {})
    if _engine_major(engine_version) < START_INTERVAL_ENGINE:
        check.pop("start_interval")
    return check


def waits_for_engine(engine_version):
    """Whether docker_container's own wait (state=healthy) is quick: from
    Docker 25 on, the checks of the start period run every start_interval,
    so the engine says healthy about when the service is ready. An older
    engine runs its first check a whole interval after the start (5 s by
    default): there the plugin starts the container (state=started) and runs
    its health check itself (probe_argv) every PROBE_PACE seconds until it
    passes, so the next service starts as soon as this one is ready; the
    engine's own status follows at its first check."""
    return _engine_major(engine_version) >= START_INTERVAL_ENGINE


def probe_argv(check):
    """The command that runs the health check `check` (docker_container's
    healthcheck) in the container, for docker_container_exec: a CMD's
    arguments, a CMD-SHELL's line under /bin/sh -c, as the engine runs them."""
    test = list(check.get("test") or [])
    if len(test) > 1 and test[0] == "CMD":
        return test[1:]
    if len(test) == 2 and test[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", test[1]]
    raise ValueError("health check %r: a service's test is [CMD, ...] or [CMD-SHELL, line]" % (test,))


def health_status(container):
    """The engine's health status of a container (docker_container's or
    docker_container_info's `container`): healthy, starting, unhealthy, or
    none."""
    return (((container or {}).get("State") or {}).get("Health") or {}).get("Status", "none")


def blkio_rules(limits, device):
    """docker_container's device_read_bps, device_write_bps,
    device_read_iops and device_write_iops from a service's limits
    ({read_bps, write_bps: "50m" (k, m, g: KiB, MiB, GiB), read_iops,
    write_iops: int; 0 for none}) on `device`: a list of one rule each, or
    an empty list (no device, or no limit), so a limit taken away is
    removed too."""
    rules = {}
    for name in ("read_bps", "write_bps", "read_iops", "write_iops"):
        value = str((limits or {}).get(name, 0) or 0).strip().lower()
        match = re.fullmatch(r"(\d+)\s*([bkmg]?)i?b?", value)
        if not match:
            raise ValueError("block I/O limit %s: %r is not a number with an optional k, m or g" % (name, value))
        rate = int(match[1]) * (_UNITS[match[2]] if name.endswith("_bps") else 1)
        if match[2] and name.endswith("_iops"):
            raise ValueError("block I/O limit %s: %r is a count of operations, without a unit" % (name, value))
        rules[name] = [{"path": device, "rate": rate if name.endswith("_iops") else str(rate)}] if device and rate else []
    return rules


def secret_mounts(names, directory, target=SECRETS_TARGET):
    """Mounts of secret files, one read-only bind mount each, so a container
    sees its own secrets and nothing else."""
    return [{"type": "bind", "source": "%s/%s" % (directory.rstrip("/"), name),
             "target": "%s/%s" % (target, name), "read_only": True} for name in names or []]


def first_start(volumes, unset_paths):
    """Whether the service's first start is to come: one of its volumes
    lacks what that start sets up (volumes_unset of the filter volume_states)."""
    unset = set(unset_paths or ())
    return any(volume.get("path") in unset for volume in volumes or ())


def volume_args(volume):
    """docker_volume's arguments for a volume of the service ({name, path}):
    a named volume whose data lives in `path` on the host."""
    return {"volume_name": volume["name"], "driver": "local",
            "driver_options": {"type": "none", "o": "bind", "device": volume["path"]}}


def _given(service, key, default):
    return default if service.get(key) is None else service[key]


def healthy_wait(profile, starting=False, wait=None):
    """Seconds a container is given to become healthy: `wait` where a step
    asks for longer (the restore's start), else the profile's
    first_start_timeout on a first start (`starting`), else its
    healthy_timeout; docker_container's wait, or the plugin's checks."""
    if wait:
        return wait
    return (profile.get("first_start_timeout") or profile["healthy_timeout"]) if starting else profile["healthy_timeout"]


def container_args(service, image, profile, network, labels=None, secrets_dir="", starting=False,
                   blkio_device="", blkio_weight_supported=False, engine_version="", wait=None):
    """docker_container's arguments for the service's container, started and
    healthy: the stack's network and no other, no capability but those the
    profile gives back, no new privileges, a read-only root, the profile's
    cgroup limits, a healthcheck, its secret files mounted one by one
    read-only. A first start (`starting`) waits the profile's
    first_start_timeout, which is also the health check's start period.
    On an engine older than 25 the container is only started: the plugin
    waits (waits_for_engine)."""
    if service.get("secrets") and not secrets_dir:
        raise ValueError("%s has secrets: secrets_dir must name the directory of the secret files" % service["name"])
    start_timeout = profile.get("first_start_timeout") or profile["healthy_timeout"]
    args = {
        "name": service["container"],
        "image": image,
        "state": "started",
        "restart_policy": profile["restart_policy"],
        "stop_timeout": profile["stop_timeout"],
        "labels": dict(labels or {}),
        "network_mode": network,
        "networks": [{"name": network, "aliases": _given(service, "aliases", [service["name"]])}],
        # A network connected behind Ansible's back is disconnected again.
        "comparisons": {"networks": "strict"},
        "mounts": list(service.get("mounts") or []) + secret_mounts(service.get("secrets"), secrets_dir),
        "cap_drop": ["ALL"],
        "security_opts": ["no-new-privileges=true"],
        "read_only": True,
        "memory": profile["memory"],
        "cpu_shares": profile["cpu_shares"],
        "pids_limit": profile["pids_limit"],
        "healthcheck": healthcheck(service.get("healthcheck"), "%ss" % start_timeout, engine_version),
    }
    if waits_for_engine(engine_version):
        args.update(state="healthy", healthy_wait_timeout=healthy_wait(profile, starting, wait))
    args.update((key, service[key]) for key in _PASSED if service.get(key) is not None)
    if profile.get("capabilities"):
        args["capabilities"] = list(profile["capabilities"])
    # Docker ignores a weight the kernel cannot apply, and docker_container
    # would then see a difference on every run.
    if blkio_weight_supported:
        args["blkio_weight"] = profile["blkio_weight"]
    args.update(("device_" + name, rules) for name, rules in blkio_rules(profile.get("blkio_limits"), blkio_device).items())
    return args


def unhealthy_report(container, reason, info, logs, lines):
    """Why `container` did not become healthy, for the task's failure: the
    module's `reason`, its state, exit code, restarts and health (from
    docker_container_info's `info`), its last three health checks and its
    last `lines` log lines (`logs`)."""
    found = (info or {}).get("container") or {}
    state = found.get("State") or {}
    health = state.get("Health") or {}
    text = ["%s did not become healthy: %s" % (container, reason),
            "state: %s, exit code %s, restarts %s, health %s" % (
                state.get("Status", "absent"), state.get("ExitCode", "-"), found.get("RestartCount", 0),
                health.get("Status", "none")),
            "last health checks:"]
    text += ["  exit %s: %s" % (check.get("ExitCode"), str(check.get("Output", "")).strip())
             for check in (health.get("Log") or [])[-3:]]
    text.append("last %d log lines:" % lines)
    text += ["  " + str(line) for line in logs or []]
    return "\n".join(text)


def host_file_paths(service):
    """The paths of the service's files of the host: its `host_files`
    (those written and those that must not exist), then its
    `certificates`' keys and certificates."""
    files = service.get("host_files") or {}
    return [posixpath.join(files["directory"], dest) for dest in
            [entry["dest"] for entry in files.get("files") or []] + list(files.get("absent") or [])] + [
        path for entry in service.get("certificates") or [] for path in (entry["key_path"], entry["cert_path"])]


def changed_host_files(service, changed_files=()):
    """The files of the host the service reads that changed in this run: its
    host files and certificates among `changed_files` (the stack's step
    wrote, made again or removed them), in its order."""
    changed = set(changed_files or ())
    return [path for path in host_file_paths(service) if path in changed]


def config_steps(service, new_image, changed_files=()):
    """What comes before the swap: (test, reload). The configuration test
    (the service's config_test) runs for an image new to the host and for
    files of the host it reads that changed (changed_host_files); the running
    daemon reloads those files (config_reload) once tested, unless a new
    image replaces it anyway."""
    changed = bool(changed_host_files(service, changed_files))
    test = bool(service.get("config_test")) and (bool(new_image) or changed)
    reload = bool(service.get("config_reload")) and changed and not new_image
    return test, reload


def config_test_args(service, image):
    """docker_container's arguments for the configuration test: a throwaway
    container of `image`, without network, that runs the test and is gone."""
    test = service["config_test"]
    args = {"name": service["container"] + "-configtest", "image": image, "command": test["command"],
            "detach": False, "cleanup": True, "network_mode": "none"}
    args.update((key, test[key]) for key in ("entrypoint", "mounts") if test.get(key) is not None)
    return args
