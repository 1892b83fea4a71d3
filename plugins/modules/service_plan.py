#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of the service_plan action plugin
(plugins/action/service_plan.py), which runs on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: service_plan
short_description: Check a service's inputs, render its build context, name its image and give its entry of the plan
version_added: 0.2.0
description:
  - The preflight of C(fortytwo.inception.site) runs it for every service that is on, once its role's checks
    that ask the host passed; nothing on the host is read or changed.
  - First its inputs, every problem named at once, before anything changes; its container's settings
    (O(profile)) against the spec of C(inception_container_profile) (the service role's argument spec, the one
    place it is declared), then each of its C(checks) (O(service)) that is not true, by its message (a check
    that is not a boolean fails).
  - Then every file of its build context (its Dockerfile, configuration, entrypoint, health check) rendered
    from the role's templates with the play's variables, exactly as the template module would, on the
    controller; and its image named C(<name>:<tag>), the tag the first 12 hex digits of a SHA-256 over the
    file list (names, modes), every file as rendered, and the base image, then the package state. The same
    templates and values give the same tag, so a tag names exactly one build context; any change gives another
    tag, hence a new image and a recreated container.
  - Returns the service's entry of the run's plan (RV(entry)), which the site playbook adds to
    C(inception_plan); M(fortytwo.inception.service_image) then provides the image from its C(context).
  - Runs as an action plugin on the controller; this file holds its documentation.
options:
  role:
    description: The service's role (C(mariadb), C(nginx_tls)...), which names it in C(inception_service_overrides).
    type: str
    required: true
  service:
    description:
      - The service's description, as its role hands it to the service role (C(<role>_service), in its
        C(vars/main.yml)); checked here, in the preflight, against this spec, the one place it is declared. Read
        here are C(name), C(container), C(build_files), C(host_files), C(certificates), C(checks), C(secrets), C(secret_owners),
        C(directories), C(volumes) and C(summary); the rest is for M(fortytwo.inception.service_container) and the service role's
        steps.
    type: dict
    required: true
    suboptions:
      name:
        description: Name of the service, its image repository and its network alias.
        type: str
        required: true
      container:
        description: Name of the container, C(inception_name_prefix) and the service's own (a role's data, as in
          kolla-ansible's service dicts, not a variable of its own).
        type: str
        required: true
      build_files:
        description: The build context, rendered from the calling role's C(templates/).
        type: list
        elements: dict
        required: true
        suboptions: &templated_file
          src:
            description: Template, relative to the role's C(templates/).
            type: str
            required: true
          dest:
            description: Path of the rendered file, relative to its directory (the build context, or
              O(service.host_files.directory)).
            type: str
            required: true
          mode:
            description: File mode.
            type: str
            required: true
      secrets:
        description: Names of the variables written as secret files (one file each, named after the variable, in C(inception_secrets_dir)),
          each mounted read-only on C(/run/secrets/<name>).
        type: list
        elements: str
        default: []
      secret_owners:
        description: The user inside the image that owns a secret file, by secret name (the registry reads its password file
          as docker-registry); the others are container root's. The group has the same ID (the file is 0400).
        type: dict
        default: {}
      directories:
        description: Host directories to create, each with C(path), C(mode) and optional C(owner), C(group) (root).
        type: list
        elements: dict
        default: []
      volumes:
        description: Named volumes the service owns, each with C(name) and the host C(path) that keeps its data (created
          with C(mode), C(owner) and C(group), the user of the service inside the image), and optionally C(initialized),
          a path in it that exists once the service set its data up (its first start is then over).
        type: list
        elements: dict
        default: []
      host_files:
        description:
          - Files of the host the service's configuration reads (mounted, not in the image, which is then the same on
            every host of a fleet; nginx's C(site.conf)), rendered here from the calling role's C(templates/) and
            written by the stack's step with the secret files (O(fortytwo.inception.host_files#module:files)),
            before the first service starts.
          - When one changed (or was repaired), the configuration test runs on it before the running daemon reloads it
            (C(config_reload)); refused, the changed files are removed, so the next run writes and tests them again.
        type: dict
        suboptions:
          directory:
            description: Their directory on the host.
            type: path
            required: true
          files:
            description: The files, each rendered from a template of the role.
            type: list
            elements: dict
            default: []
            suboptions: *templated_file
          absent:
            description: Paths in O(service.host_files.directory) that must not exist (a file of a server this host no
              longer runs).
            type: list
            elements: str
            default: []
      certificates:
        description:
          - Private keys and self-signed server certificates the service reads (nginx's, of the domain), kept or made
            again by the stack's step with the secret files (O(fortytwo.inception.host_files#module:certificates)),
            owned by container root, before the first service starts.
          - Made again (missing, damaged, for other names, about to expire) or repaired, they are tested and reloaded
            as its changed O(service.host_files) are.
        type: list
        elements: dict
        default: []
        suboptions:
          key_path:
            description: The private key on the host (ECDSA P-256).
            type: path
            required: true
          cert_path:
            description: The certificate on the host.
            type: path
            required: true
          names:
            description: Its DNS names; the first is its subject's common name.
            type: list
            elements: str
            required: true
          days:
            description: How long a certificate made is valid, in days (made again 30 days, at most half, before).
            type: int
            default: 365
      config_reload:
        description: A command the running daemon reloads its configuration with (C(nginx -s reload)), run in its container
          once the configuration test passed on files of the host that changed.
        type: list
        elements: str
      host_paths:
        description: Other host paths the service owns; removed by fclean.
        type: list
        elements: path
        default: []
      mounts:
        description: Mounts of the container (C(docker_container) syntax), besides the secret files.
        type: list
        elements: dict
        default: []
      env:
        description: Environment of the container; names and paths of secret files, never a secret.
        type: dict
      tmpfs:
        description: tmpfs mounts (the root filesystem is read-only).
        type: list
        elements: str
      published_ports:
        description: Ports published on the host (only NGINX's 443 in the mandatory stack).
        type: list
        elements: str
      aliases:
        description: Names on the stack's network (default, the service name).
        type: list
        elements: str
      user:
        description: User the container runs as (default, the image's).
        type: str
      init:
        description: Run Docker's init as PID 1, for a daemon that does not reap its children.
        type: bool
      profile:
        description: 'The settings of its container that differ from C(inception_container_profile) (the same keys): memory,
          capabilities, timeouts... The inventory''s C(inception_service_overrides) go over them.'
        type: dict
        default: {}
      healthcheck:
        description: 'C(start_period) (long enough for a first start on a slow host, failures before it do not count; default,
          the profile''s C(first_start_timeout), else its C(healthy_timeout)), C(interval) (5s), C(timeout) (10s), C(retries)
          (3), C(test) (default, C(/usr/local/bin/healthcheck.sh) of the image), and C(start_interval) (1s: the pace of the
          checks during the start period, on Docker 25 and later only; an older engine checks every C(interval)).'
        type: dict
        default: {}
      config_test:
        description: A command that tests the configuration of a newly built image (C(command), optional C(entrypoint) and
          C(mounts)), run before the container is replaced.
        type: dict
      checks:
        description: The checks of its inputs, each C(ok) (true when the inventory's values are right) and C(msg) (which
          variable is wrong and what to change, never a secret's value); the preflight names every failing one at once, before
          anything changes. A check that asks the host stays in the role's C(tasks/validate.yml).
        type: list
        elements: dict
        default: []
        suboptions:
          ok:
            description: >-
              The condition, the boolean true when the inputs are right; anything else refuses (not converted: a
              string C(yes) refuses too).
            type: raw
            required: true
          msg:
            description: What is wrong and what to change.
            type: str
            required: true
      summary:
        description: Lines the site playbook prints at the end about this service.
        type: list
        elements: str
        default: []
  profile:
    description: Its container's settings, C(inception_container_profile) with its role's and the inventory's overrides.
    type: dict
    required: true
  templates:
    description: The directory of the role's templates.
    type: path
    required: true
  base_image:
    description: The image every service image is built C(FROM) (C(debian:bookworm)); part of the tag.
    type: str
    required: true
  package_state:
    description:
      - The package state the image is built against, as C(make upgrade) records it (hex digits of the
        mirror's package lists it fetched); appended to the tag (C(<content tag>-<state>)), so an upgraded image
        has a tag of its own. Empty for an image no upgrade made.
    type: str
    default: ""
attributes:
  check_mode:
    description: Changes nothing in any mode.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Check the inputs of mariadb and plan it
  fortytwo.inception.service_plan:
    role: mariadb
    service: "{{ mariadb_service }}"
    profile: "{{ inception_container_profile | combine(mariadb_service.profile) }}"
    templates: "{{ role_path }}/templates"
    base_image: debian:bookworm
  register: mariadb_planned
"""

RETURN = r"""
image:
  description: The image's name, C(<name>:<tag>).
  returned: always
  type: str
  sample: mariadb:69222640e8c8
entry:
  description:
    - The service's entry of the plan, C(name), C(container), C(image), C(profile), C(content_tag) (the digest of
      the build context alone), C(context) (C(image) and C(files), the rendered files, each C(dest), C(mode) and
      C(content)), C(host_files) (C(directory), C(files) rendered as the context's, C(absent); none without),
      C(secrets), C(secret_owners), C(directories) (its own and its volumes), C(volumes),
      C(summary) and C(service) (the description as checked, which the site playbook's deploy hands to the service
      role).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

# A file rendered from a template of the role (build_files, host_files.files).
TEMPLATED_FILE = dict(
    src=dict(type="str", required=True),
    dest=dict(type="str", required=True),
    mode=dict(type="str", required=True),
)

# A service's description (the role's <role>_service), its one declaration.
SERVICE_OPTIONS = dict(
    name=dict(type="str", required=True),
    container=dict(type="str", required=True),
    build_files=dict(type="list", elements="dict", required=True, options=TEMPLATED_FILE),
    # Names of secrets and their owners' IDs, never a secret.
    secrets=dict(type="list", elements="str", default=[], no_log=False),
    secret_owners=dict(type="dict", default={}, no_log=False),
    directories=dict(type="list", elements="dict", default=[]),
    volumes=dict(type="list", elements="dict", default=[]),
    host_files=dict(type="dict", options=dict(
        directory=dict(type="path", required=True),
        files=dict(type="list", elements="dict", default=[], options=TEMPLATED_FILE),
        absent=dict(type="list", elements="str", default=[]),
    )),
    certificates=dict(type="list", elements="dict", default=[], options=dict(
        key_path=dict(type="path", required=True, no_log=False),
        cert_path=dict(type="path", required=True),
        names=dict(type="list", elements="str", required=True),
        days=dict(type="int", default=365),
    )),
    config_reload=dict(type="list", elements="str"),
    host_paths=dict(type="list", elements="path", default=[]),
    mounts=dict(type="list", elements="dict", default=[]),
    env=dict(type="dict"),
    tmpfs=dict(type="list", elements="str"),
    published_ports=dict(type="list", elements="str"),
    aliases=dict(type="list", elements="str"),
    user=dict(type="str"),
    init=dict(type="bool"),
    profile=dict(type="dict", default={}),
    healthcheck=dict(type="dict", default={}),
    config_test=dict(type="dict"),
    checks=dict(type="list", elements="dict", default=[], options=dict(
        # Not converted: only the boolean true passes ("yes" refuses).
        ok=dict(type="raw", required=True),
        msg=dict(type="str", required=True),
    )),
    summary=dict(type="list", elements="str", default=[]),
)

ARGUMENT_SPEC = dict(
    role=dict(type="str", required=True),
    service=dict(type="dict", required=True, options=SERVICE_OPTIONS),
    profile=dict(type="dict", required=True),
    templates=dict(type="path", required=True),
    base_image=dict(type="str", required=True),
    package_state=dict(type="str", default=""),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="fortytwo.inception.service_plan runs on the controller, as an action plugin")


if __name__ == "__main__":
    main()
