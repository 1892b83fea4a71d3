#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of the build_context action plugin
(plugins/action/build_context.py), which runs on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: build_context
short_description: Render a service's build context on the controller and name its image after it
version_added: 0.2.0
description:
  - Renders every file of a service's build context (its Dockerfile, configuration, entrypoint, health check)
    from the role's templates with the play's variables, exactly as the template module would, on the
    controller. Nothing on the host is read or changed.
  - Names the image C(<name>:<tag>), the tag the first 12 hex digits of a SHA-256 over the file list
    (names, modes), every file as rendered, and the base image. The same templates and values give the same
    tag, so a tag names exactly one build context; any change gives another tag, hence a new image and a
    recreated container.
  - The preflight of C(fortytwo.inception.site) runs it for every service that is on and keeps the result in
    the plan; M(fortytwo.inception.service_image) then provides the image from it.
  - Runs as an action plugin on the controller; this file holds its documentation.
options:
  name:
    description: The service, also the image's repository (C(mariadb), C(wordpress), C(nginx)...).
    type: str
    required: true
  templates:
    description: The directory of the role's templates.
    type: path
    required: true
  build_files:
    description:
      - The files of the build context, each C(src) (a template under O(templates)), C(dest) (its path in the
        context) and C(mode).
    type: list
    elements: dict
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
- name: Render the build context and name the image of mariadb
  fortytwo.inception.build_context:
    name: mariadb
    templates: "{{ role_path }}/templates"
    build_files:
      - {src: Dockerfile.j2, dest: Dockerfile, mode: "0644"}
      - {src: entrypoint.sh.j2, dest: entrypoint.sh, mode: "0755"}
    base_image: debian:bookworm
  register: mariadb_context
"""

RETURN = r"""
image:
  description: The image's name, C(<name>:<content tag>).
  returned: always
  type: str
  sample: mariadb:69222640e8c8
tag:
  description: The image's tag, the content tag and the package state.
  returned: always
  type: str
  sample: 69222640e8c8-1f2e3d4c
content_tag:
  description: The digest of the build context alone.
  returned: always
  type: str
  sample: 69222640e8c8
files:
  description: The rendered files, each C(dest), C(mode) and C(content), in the order of O(build_files).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    templates=dict(type="path", required=True),
    build_files=dict(type="list", elements="dict", required=True),
    base_image=dict(type="str", required=True),
    package_state=dict(type="str", default=""),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="fortytwo.inception.build_context runs on the controller, as an action plugin")


if __name__ == "__main__":
    main()
