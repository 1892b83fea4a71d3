#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several directories, each with its owner, group and mode, and the owners of
their trees moved to the engine's user-namespace mapping: one module call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: directories
short_description: Create directories with their owners and modes, and give their trees the owners containers see
version_added: 0.1.0
description:
  - For each entry of O(directories), what C(ansible.builtin.file) with C(state=directory) does (the directory
    and its missing parents created, then its owner, group and mode set where they differ), in one call for all
    of them; a rerun that finds them as asked changes nothing.
  - With O(shift), every directory that already existed then has the owners of its tree moved from one ID
    range to the other (data written while the engine mapped user namespaces otherwise, or copied from a host
    that does, gets the owners its container sees). An entry whose owner or group lies in the C(from) range
    gets the same offset in the C(to) range; other owners, modes and symbolic links' targets are left alone,
    so a second run moves nothing.
  - A path taken by something that is not a directory fails the module, naming it; nothing is replaced.
options:
  directories:
    description: The directories, in the order they are made.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      owner:
        description: Its owner, a name or a user ID.
        type: str
      group:
        description: Its group, a name or a group ID.
        type: str
      mode:
        description: Its mode, as C(ansible.builtin.file) takes it (C("0750"), C(u=rwx,g=rx)).
        type: raw
  shift:
    description:
      - The ID ranges to move, as the filter P(fortytwo.inception.userns_ids#filter) gives them
        (C(uid_from), C(uid_to), C(gid_from), C(gid_to), C(count)); null moves nothing.
      - Ranges that overlap are refused (a second run would move the IDs again).
    type: dict
attributes:
  check_mode:
    description: Says what it would create, set or move, and changes nothing.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
seealso:
  - module: ansible.builtin.file
author:
  - fortytwo.inception contributors (@fortytwo)
"""

EXAMPLES = r"""
- name: Create the directories of the database, owned as the remapped container sees them
  fortytwo.inception.directories:
    directories:
      - {path: /home/jdoe/data/mariadb, owner: "100999", group: "100999", mode: "0700"}
    shift: {uid_from: 0, uid_to: 100000, gid_from: 0, gid_to: 100000, count: 65536}
"""

RETURN = r"""
created:
  description: The paths of O(directories) that did not exist (in check mode, that would be created).
  returned: always
  type: list
  elements: str
shifted:
  description: How many entries of the trees got another owner or group (O(shift)).
  returned: always
  type: int
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fortytwo.inception.plugins.module_utils.userns import shift_tree

_SHIFT_KEYS = ("uid_from", "uid_to", "gid_from", "gid_to")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                owner=dict(type="str"),
                group=dict(type="str"),
                mode=dict(type="raw"),
            )),
            shift=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    shift = module.params["shift"]
    if shift is not None and any(not isinstance(shift.get(key), int) for key in _SHIFT_KEYS):
        module.fail_json(msg="shift: give the integers %s (and count), or null" % ", ".join(_SHIFT_KEYS))
    changed, created, shifted = False, [], 0
    for entry in module.params["directories"]:
        path = entry["path"]
        if os.path.lexists(path) and not os.path.isdir(path):
            module.fail_json(msg="%s exists and is not a directory: move it away, nothing was replaced" % path,
                             created=created)
        if not os.path.isdir(path):
            created.append(path)
            changed = True
            if module.check_mode:
                continue
            os.makedirs(path)
        elif shift is not None:
            try:
                moved = shift_tree(path, shift["uid_from"], shift["uid_to"], shift["gid_from"], shift["gid_to"],
                                   shift.get("count", 65536), apply=not module.check_mode)
            except (OSError, ValueError) as error:
                module.fail_json(msg="%s: %s" % (path, error), created=created)
            shifted += moved
            changed = changed or moved > 0
        file_args = module.load_file_common_arguments(dict(entry, path=path))
        changed = module.set_fs_attributes_if_different(file_args, changed)
    module.exit_json(changed=changed, created=created, shifted=shifted)


if __name__ == "__main__":
    main()
