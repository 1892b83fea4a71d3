#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Move the owners of a directory tree from one user-namespace mapping to
another (the engine's userns-remap switched on or off)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: shift_ids
short_description: Move a directory tree's owners from one ID range to another
version_added: 0.1.0
description:
  - Walks O(path) (without following symbolic links) and gives every entry
    whose user ID lies in [O(uid_from), O(uid_from) + O(count)) the user ID
    O(uid_to) + (its ID - O(uid_from)), and the same for group IDs.
  - With the Docker engine's user-namespace remapping, container uid N is host
    uid base + N; this moves data written under one mapping to the other, so
    each file keeps the owner the container sees. IDs outside the range stay.
  - Idempotent when the two ranges do not overlap; reports how many entries changed.
options:
  path:
    description: The top of the tree (included).
    type: path
    required: true
  uid_from:
    description: First user ID of the range to move.
    type: int
    required: true
  uid_to:
    description: Where that first user ID goes.
    type: int
    required: true
  gid_from:
    description: First group ID of the range to move.
    type: int
    required: true
  gid_to:
    description: Where that first group ID goes.
    type: int
    required: true
  count:
    description: How many IDs the ranges hold.
    type: int
    default: 65536
attributes:
  check_mode:
    description: Counts the entries it would move, and moves none.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
author:
  - fortytwo.inception contributors (@fortytwo)
"""

EXAMPLES = r"""
- name: Give the database files the owners the remapped container sees
  fortytwo.inception.shift_ids:
    path: /home/jdoe/data/mariadb
    uid_from: 0
    uid_to: 100000
    gid_from: 0
    gid_to: 100000
"""

RETURN = r"""
shifted:
  description: How many entries got another owner or group.
  returned: always
  type: int
  sample: 1042
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fortytwo.inception.plugins.module_utils.userns import shift_tree


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            uid_from=dict(type="int", required=True),
            uid_to=dict(type="int", required=True),
            gid_from=dict(type="int", required=True),
            gid_to=dict(type="int", required=True),
            count=dict(type="int", default=65536),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not os.path.isdir(params["path"]):
        module.fail_json(msg="path: %s is not a directory" % params["path"])
    try:
        shifted = shift_tree(params["path"], params["uid_from"], params["uid_to"], params["gid_from"],
                             params["gid_to"], params["count"], apply=not module.check_mode)
    except (OSError, ValueError) as error:
        module.fail_json(msg="%s: %s" % (params["path"], error))
    module.exit_json(changed=shifted > 0, shifted=shifted)


if __name__ == "__main__":
    main()
