#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of the image_patches action plugin
(plugins/action/image_patches.py), which runs the modules it needs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: image_patches
short_description: Say what each image lacks of Debian's mirror, without a build
version_added: 0.3.0
description:
  - Fetches the mirror's package lists once, with a throwaway container of O(base_image) (its sources), into
    O(lists_dir) on the host; then, in a throwaway container of each of O(images) without network, simulates
    C(apt-get dist-upgrade) against those lists (mounted read-only) and reads what it would change.
  - C(make upgrade) asks it which images to rebuild (M(fortytwo.inception.service_upgrade)), and C(make updates)
    how far behind each image is. Builds nothing, starts nothing that stays; the lists are a cache, so the run
    reports no change.
options:
  images:
    description: The images to ask (the base image among them, to know whether it is to be made again).
    type: list
    elements: str
    required: true
  base_image:
    description: The image whose sources fetch the lists.
    type: str
    required: true
  lists_dir:
    description: The directory of the host that holds the lists, made if missing.
    type: path
    required: true
  owner:
    description: Its owner, container root as the engine maps it (apt writes the lists as container root).
    type: int
    default: 0
  group:
    description: Its group.
    type: int
    default: 0
  shift:
    description: The ID ranges whose owners move in it, lists fetched under another mapping (as M(fortytwo.inception.directories) takes it).
    type: dict
  name_prefix:
    description: Prefix of the throwaway containers' names.
    type: str
    default: ""
  digest:
    description:
      - Also digest the lists fetched (M(fortytwo.inception.host_facts)), RV(lists_digest), the package state an
        image built from them is tagged with (C(make upgrade)); lists with no C(Release) file (the mirror did not
        answer) then fail the task, before anything changes.
    type: bool
    default: false
attributes:
  check_mode:
    description: The modules it runs are run in check mode, so nothing is fetched or simulated.
    support: partial
    details: In check mode the patches are empty.
  diff_mode:
    description: Gives no diff.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Ask the mirror what each image lacks
  fortytwo.inception.image_patches:
    images: [debian:bookworm, nginx:32499d7de3e2]
    base_image: debian:bookworm
    lists_dir: /opt/inception/apt-lists
  register: behind
"""

RETURN = r"""
patches:
  description:
    - By image, the package changes the mirror has for it, each C(package), C(old) (empty for a package the
      upgrade would add) and C(new), sorted by package; empty when it is up to date.
  returned: always
  type: dict
  sample: {"nginx:32499d7de3e2": [{"package": "libc6", "old": "2.36-9+deb12u9", "new": "2.36-9+deb12u10"}]}
lists_digest:
  description: The first 8 hex digits of a SHA-256 over the lists' C(Release) files (O(digest)); empty otherwise.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    images=dict(type="list", elements="str", required=True),
    base_image=dict(type="str", required=True),
    lists_dir=dict(type="path", required=True),
    owner=dict(type="int", default=0),
    group=dict(type="int", default=0),
    shift=dict(type="dict"),
    name_prefix=dict(type="str", default=""),
    digest=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="fortytwo.inception.image_patches runs as an action plugin")


if __name__ == "__main__":
    main()
