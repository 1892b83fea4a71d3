# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The directories option the modules that make directories share
(directories, host_files), as module_utils.files takes it;
SHIFT, the owners moved in their trees."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  directories:
    description:
      - Directories, in the order they are made; for each, what C(ansible.builtin.file) with C(state=directory)
        does (the directory and its missing parents created, then its owner, group and mode set where they
        differ). A path taken by something that is not a directory fails the module, naming it.
    type: list
    elements: dict
    default: []
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
"""

    SHIFT = r"""
options:
  shift:
    description:
      - The ID ranges whose owners move in the trees of O(directories) that already existed, as the filter
        P(fortytwo.inception.userns_ids#filter) gives them (C(uid_from), C(uid_to), C(gid_from), C(gid_to),
        C(count)); null moves nothing.
      - Ranges that overlap are refused (a second run would move the IDs again).
    type: dict
"""
