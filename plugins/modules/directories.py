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
extends_documentation_fragment:
  - fortytwo.inception.directories
  - fortytwo.inception.directories.shift
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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fortytwo.inception.plugins.module_utils.files import DIRECTORY_OPTIONS, ensure_directories


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type="list", elements="dict", default=[], options=DIRECTORY_OPTIONS),
            shift=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    changed, created, shifted = ensure_directories(module, module.params["directories"], module.params["shift"])
    module.exit_json(changed=changed, created=created, shifted=shifted)


if __name__ == "__main__":
    main()
