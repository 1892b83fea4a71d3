#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of the service_container action plugin
(plugins/action/service_container.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: service_container
short_description: Run a service's container from its description, with its volumes, until it is healthy
version_added: 0.2.0
description:
  - Creates the named volumes of a service (C(service.volumes), each bound to its host path) with
    C(community.docker.docker_volume), then runs its container with C(community.docker.docker_container)
    until it is healthy. The modules compare, so a rerun changes nothing and a change made behind Ansible's back
    (a setting, a network connected, a container removed) is repaired.
  - Healthy before the next service starts. From Docker 25 on, C(state=healthy) waits (the checks of the start
    period run every C(start_interval), 1 s). An older engine (Debian 12's 20.10) runs a container's first check
    a whole interval (5 s) after its start, so there the container is started (C(state=started)) and the plugin
    runs its health check itself (C(community.docker.docker_container_exec), the check's own command, every
    half second) until it passes; the engine's own status says C(healthy) at its first check, at most one
    interval later. A container the engine already says is healthy (a rerun) is not checked again.
  - The container's arguments are made in Python from the description (plugins/plugin_utils/containers.py,
    unit-tested), as kolla-ansible's C(kolla_container) does from its services' dicts. Every container gets
    the stack's network and no other (with the service's aliases), C(cap_drop=ALL) with only the profile's
    C(capabilities) given back, C(no-new-privileges=true), a read-only root, the profile's restart policy,
    stop timeout, memory, CPU shares and pids limits, a block I/O weight where the kernel applies one, block
    I/O throttling on O(blkio_device), a healthcheck (C(/usr/local/bin/healthcheck.sh) unless the service
    says otherwise; C(start_interval) only on Docker 25 and later) and its secret files, each a read-only
    bind mount on C(/run/secrets/<name>).
  - A first start (a volume of the service among O(unset_paths)) waits the profile's C(first_start_timeout),
    which is also the health check's start period; later starts wait C(healthy_timeout).
  - O(labels) go to docker_container's own comparison; a digest of the secrets among them recreates the
    container when one rotates, as compose does with its config hash.
  - A container that does not become healthy fails the task saying why (plugins/plugin_utils/containers.py,
    C(unhealthy_report)) - the module's message, the container's state, exit code, restarts and health, its
    last three health checks and its last O(log_lines) log lines (C(docker logs), as no community.docker module
    reads them); a volume that cannot be made is named, and no container starts.
  - Runs as an action plugin; this file holds its documentation.
options:
  service:
    description:
      - The service's description, as its role hands it to the service role (C(service); the keys are
        documented and checked by M(fortytwo.inception.service_plan)). Read here are C(name),
        C(container), C(volumes), C(mounts), C(secrets), C(env), C(tmpfs), C(published_ports), C(aliases),
        C(user), C(init) and C(healthcheck).
    type: dict
    required: true
  image:
    description: The image to run, C(<name>:<tag>) (M(fortytwo.inception.service_image) provided it).
    type: str
    required: true
  profile:
    description:
      - The container's settings (C(inception_container_profile), with its role's and the inventory's
        overrides), C(restart_policy), C(stop_timeout), C(healthy_timeout), C(first_start_timeout),
        C(capabilities), C(memory), C(cpu_shares), C(pids_limit), C(blkio_weight), C(blkio_limits).
    type: dict
    required: true
  network:
    description: The stack's user-defined network, the only one the container is on.
    type: str
    required: true
  labels:
    description: Labels of the container.
    type: dict
    default: {}
  secrets_dir:
    description: The host directory of the secret files (one file per secret, named after it).
    type: str
    default: ""
  unset_paths:
    description:
      - Volume paths whose first start is to come (C(volumes_unset) of the filter
        C(fortytwo.inception.volume_states), from what M(fortytwo.inception.host_facts) listed of the data directory).
    type: list
    elements: str
    default: []
  blkio_device:
    description: The block device block I/O is throttled on (the disk of the data); empty, none.
    type: str
    default: ""
  blkio_weight_supported:
    description: Whether the kernel applies a block I/O weight (else the profile's C(blkio_weight) is not set).
    type: bool
    default: false
  engine_version:
    description:
      - The engine's C(ServerVersion). From version 25 on, C(start_interval) is set and the engine's own wait is
        used; before, the plugin runs the health check itself until it passes.
    type: str
    default: ""
  log_lines:
    description: The container's last log lines the failure shows when it does not become healthy.
    type: int
    default: 30
  new_image:
    description:
      - The image is new to this host (built or pulled in this run, or an upgrade's), so its configuration is tested
        (the service's C(config_test), in a throwaway container without network) before it replaces anything.
        Files of the host the configuration reads that changed (its C(host_files) or C(certificates) among
        O(changed_files)) are tested too, then the running daemon reloads them (C(config_reload)).
      - Refused, the task fails naming the image and the daemon's message; a new image is removed (the next run
        builds and tests it again), changed files of the host too (written and tested again), and the running
        container is left as it is.
    type: bool
    default: false
  changed_files:
    description:
      - Paths of files of the host the stack's step wrote or removed in this run
        (RV(fortytwo.inception.host_files#module:files_changed)); those among the service's C(host_files) or
        C(certificates) are tested, then reloaded.
    type: list
    elements: path
    default: []
  healthy_wait:
    description:
      - Seconds to wait for the container to become healthy, instead of the profile's (a step that needs longer,
        as the restore's start of WordPress on the data it just replaced). Not a setting of the container.
    type: int
  build_job:
    description:
      - The async job of the build of O(image) that M(fortytwo.inception.service_image) started in the background
        (its RV(fortytwo.inception.service_image#module:job)), waited for first (C(async_status), every 2 s), so
        later images build while earlier services start. A build that fails fails the task with the build's
        message, and nothing starts. Empty, no build to wait for.
    type: str
    default: ""
  build_timeout:
    description: Seconds the build of O(build_job) may take (C(service_build_timeout)).
    type: int
    default: 1800
attributes:
  check_mode:
    description: The modules it runs are run in check mode.
    support: full
  diff_mode:
    description: Gives docker_container's diff.
    support: full
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Run MariaDB
  fortytwo.inception.service_container:
    service: "{{ mariadb_service }}"
    image: mariadb:69222640e8c8
    profile: "{{ inception_container_profile }}"
    network: inception
    secrets_dir: /opt/inception/secrets
"""

RETURN = r"""
container:
  description: The container, as docker_container returns it (C(docker inspect)).
  returned: success
  type: dict
first_start:
  description: Whether this was the service's first start (it was given C(first_start_timeout)).
  returned: success
  type: bool
changes:
  description: What changed, C(volume <name>) and C(container <name>); empty on a rerun that changes nothing.
  returned: success
  type: list
  elements: str
tested:
  description: Whether the configuration was tested before the swap (O(new_image), or files of the host changed).
  returned: success
  type: bool
reloaded:
  description: Whether the running daemon was asked to reload the changed files of the host.
  returned: success
  type: bool
seconds:
  description: How long the container step took (for a swap, from the old container's stop to the new one's health
    check passing).
  returned: success
  type: float
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    service=dict(type="dict", required=True),
    image=dict(type="str", required=True),
    profile=dict(type="dict", required=True),
    network=dict(type="str", required=True),
    labels=dict(type="dict", default={}),
    secrets_dir=dict(type="str", default="", no_log=False),
    unset_paths=dict(type="list", elements="str", default=[]),
    blkio_device=dict(type="str", default=""),
    blkio_weight_supported=dict(type="bool", default=False),
    engine_version=dict(type="str", default=""),
    log_lines=dict(type="int", default=30),
    new_image=dict(type="bool", default=False),
    changed_files=dict(type="list", elements="path", default=[]),
    healthy_wait=dict(type="int"),
    build_job=dict(type="str", default=""),
    build_timeout=dict(type="int", default=1800),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="fortytwo.inception.service_container runs as an action plugin")


if __name__ == "__main__":
    main()
