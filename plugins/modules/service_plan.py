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
      - The service's description, as its role hands it to the service role (C(service), documented by
        C(ansible-doc -t role fortytwo.inception.service)); read here are C(name), C(container), C(build_files),
        C(checks), C(secrets), C(secret_owners), C(directories), C(volumes) and C(summary).
    type: dict
    required: true
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
      C(content)), C(secrets), C(secret_owners), C(directories) (its own and its volumes), C(volumes) and
      C(summary).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    role=dict(type="str", required=True),
    service=dict(type="dict", required=True),
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
