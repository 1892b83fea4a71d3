# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Owners moved from one user-namespace mapping to another (the engine's
userns-remap switched on or off): the directories module's shift."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def _move(value, start, to, count):
    return to + value - start if start <= value < start + count else value


def shift_tree(path, uid_from, uid_to, gid_from, gid_to, count=65536, apply=True):
    """Entries of the tree (top included) whose owner or group lies in the
    `from` ranges, moved to the `to` ranges; the number moved."""
    if uid_from != uid_to and max(uid_from, uid_to) < min(uid_from, uid_to) + count \
            or gid_from != gid_to and max(gid_from, gid_to) < min(gid_from, gid_to) + count:
        raise ValueError("the ranges overlap: a second run would move the IDs again")
    shifted = 0

    def visit(entry):
        nonlocal shifted
        st = os.lstat(entry)
        uid = _move(st.st_uid, uid_from, uid_to, count)
        gid = _move(st.st_gid, gid_from, gid_to, count)
        if (uid, gid) != (st.st_uid, st.st_gid):
            shifted += 1
            if apply:
                # lchown clears setuid/setgid bits: put the mode back.
                os.lchown(entry, uid, gid)
                if not os.path.islink(entry) and st.st_mode & 0o6000:
                    os.chmod(entry, st.st_mode & 0o7777)

    visit(path)
    for top, dirs, files in os.walk(path):
        for name in dirs + files:
            visit(os.path.join(top, name))
    return shifted
