#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of the service_upgrade action plugin
(plugins/action/service_upgrade.py), which runs the modules it needs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: service_upgrade
short_description: Decide whether a service gets a new image in an upgrade, build it and compare it with the one it replaces
version_added: 0.3.0
description:
  - The first step of C(make upgrade) (C(playbooks/upgrade.yml)) for one service, once the mirror was asked which
    images lack its updates.
  - Reads the service's container (M(community.docker.docker_container_info)). The service gets a new image when
    the engine lacks the image the run names (O(image) not in O(held)), the mirror has changes for it
    (O(patches)), or the base image is made again (O(base_behind)); otherwise nothing more is done.
  - The new image's tag is its content tag and the package state just fetched (C(<name>:<content_tag>-<state>)),
    never the old tag rebuilt, so a tag names exactly one build and a rollback runs the old tag again.
  - It is built as M(fortytwo.inception.service_image) builds (the context written, our labels), from the package
    lists just fetched and without the layer cache; then the packages of the image the container ran and of the
    new one are read (C(dpkg-query -W) in a throwaway container without network) and compared, for the report.
  - A failure (the build's, a read's) fails the task with the decision kept in the result (RV(image),
    RV(previous), RV(entry)), so the playbook's rescue can roll back and name what it refused.
  - The playbook then tests the new image's configuration, swaps the container and records the package state.
options:
  name:
    description: The service, its image's repository.
    type: str
    required: true
  container:
    description: Its container.
    type: str
    required: true
  image:
    description: The image the run names for it (the plan's, with the package state recorded so far).
    type: str
    required: true
  context:
    description: Its build context, as M(fortytwo.inception.service_plan) rendered it (C(files)).
    type: dict
    required: true
  content_tag:
    description: The digest of its build context alone, the first part of the new tag.
    type: str
    required: true
  package_state:
    description: The digest of the package lists just fetched (hex digits), the second part of the new tag.
    type: str
    required: true
  held:
    description: The images of the plan the engine holds.
    type: list
    elements: str
    default: []
  patches:
    description: The package changes the mirror has for O(image) (C(package), C(old), C(new)).
    type: list
    elements: dict
    default: []
  base_behind:
    description: The package changes the mirror has for the base image (then made again, so every image is rebuilt).
    type: list
    elements: dict
    default: []
  build_dir:
    description: Where its build context is written.
    type: path
    required: true
  build_args:
    description: Build arguments (C(INCEPTION_APT_RELEASE)).
    type: dict
    default: {}
attributes:
  check_mode:
    description: The modules it runs are run in check mode.
    support: partial
    details: In check mode nothing is built, so no packages are compared.
  diff_mode:
    description: Gives no diff.
    support: none
seealso:
  - module: fortytwo.inception.service_image
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Decide whether mariadb gets a new image, and build it
  fortytwo.inception.service_upgrade:
    name: mariadb
    container: mariadb
    image: mariadb:69222640e8c8
    context: "{{ mariadb_planned.entry.context }}"
    content_tag: 69222640e8c8
    package_state: 1f2e3d4c5b6a
    held: [mariadb:69222640e8c8]
    patches: [{package: libc6, old: 2.36-9+deb12u9, new: 2.36-9+deb12u10}]
    build_dir: /opt/inception/build/mariadb
  register: mariadb_upgrade
"""

RETURN = r"""
needed:
  description: Whether the service gets a new image.
  returned: always
  type: bool
image:
  description: The new image's tag, C(<name>:<content_tag>-<package_state>).
  returned: always
  type: str
  sample: mariadb:69222640e8c8-1f2e3d4c5b6a
previous:
  description: What its container ran, C(id) and C(name); empty without a container.
  returned: always
  type: dict
image_id:
  description: The ID of the new image.
  returned: when it was built
  type: str
entry:
  description:
    - Its line of the upgrade report, C(service), C(result) (C(up to date) until the swap says otherwise),
      C(before), C(after) (names and short IDs once built) and C(changes), the packages that differ between the
      image it ran and the new one (C(package), C(old), C(new)).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    container=dict(type="str", required=True),
    image=dict(type="str", required=True),
    context=dict(type="dict", required=True),
    content_tag=dict(type="str", required=True),
    package_state=dict(type="str", required=True),
    held=dict(type="list", elements="str", default=[]),
    patches=dict(type="list", elements="dict", default=[]),
    base_behind=dict(type="list", elements="dict", default=[]),
    build_dir=dict(type="path", required=True),
    build_args=dict(type="dict", default={}),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="fortytwo.inception.service_upgrade runs as an action plugin")


if __name__ == "__main__":
    main()
