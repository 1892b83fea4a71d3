#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A backup's SHA256SUMS: written once its files are (with its description,
then the backup completed and the oldest removed), checked before a restore."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: backup_sums
short_description: Write a backup's SHA256SUMS, or find a backup and check every file against it
version_added: 0.2.0
description:
  - With O(state=written), writes O(info) as C(backup.json) in the backup directory O(path), computes the SHA-256
    of each of O(files) there and writes C(SHA256SUMS) (the format C(sha256sum --check) reads; both 0600, owned by
    O(owner) and O(group)); then, with O(complete), renames C(<name>.part) to C(<name>) (only a complete backup
    carries a backup name), and with O(keep), removes all but the newest O(keep) complete backups beside it. One
    call where a copy, a stat loop, a copy, a command, a find and a file loop were six.
  - With O(state=verified) (before a restore changes anything), finds the backup, O(path) itself or O(name) among
    the C(backup-*) directories of O(backups_dir) (C(latest), the newest complete one), and checks that each of
    O(files) exists and matches its line of C(SHA256SUMS); a backup missing, or a file missing or not matching,
    fails, naming it. Changes nothing.
options:
  state:
    description: Write the sums (V(written)), or find the backup and check it (V(verified)).
    type: str
    choices: [written, verified]
    default: verified
  path:
    description: The backup's directory (a copy on the controller, or the one just written).
    type: path
  backups_dir:
    description: Where the backups are, each a C(backup-<UTC time>) directory (O(state=verified), without O(path)).
    type: path
  name:
    description: The backup to check in O(backups_dir), a C(backup-<UTC time>) name or C(latest).
    type: str
    default: latest
  files:
    description: The files of a backup, relative to its directory.
    type: list
    elements: str
    required: true
  info:
    description: The backup's description, written as C(backup.json) before the sums (O(state=written)).
    type: dict
  complete:
    description: Once the sums are written, rename O(path) from C(<name>.part) to C(<name>) (O(state=written)).
    type: bool
    default: false
  keep:
    description:
      - Once the backup is complete, keep only the newest O(keep) complete backups (C(backup-<UTC time>)) of its
        parent directory; the others are removed (O(state=written)). 0 removes none.
    type: int
    default: 0
  owner:
    description: The owner of C(SHA256SUMS) and C(backup.json) (O(state=written)), a user ID.
    type: int
    default: 0
  group:
    description: Its group, a group ID.
    type: int
    default: 0
attributes:
  check_mode:
    description: Says whether it would write C(SHA256SUMS); checking reads only.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Describe the backup, write SHA256SUMS, complete it and keep the newest seven
  fortytwo.inception.backup_sums:
    state: written
    path: /home/jdoe/backups/backup-20261128T213000Z.part
    files: [database.sql.gz, site-files.tar.gz, backup.json]
    info: {name: backup-20261128T213000Z, login: jdoe}
    complete: true
    keep: 7

- name: Find the newest backup and check its files
  fortytwo.inception.backup_sums:
    backups_dir: /home/jdoe/backups
    name: latest
    files: [database.sql.gz, site-files.tar.gz, backup.json]
  register: backup
"""

RETURN = r"""
name:
  description: The backup's directory name.
  returned: always
  type: str
  sample: backup-20261128T213000Z
path:
  description: The backup's directory.
  returned: always
  type: str
sums:
  description: The SHA-256 of each file, by file name.
  returned: always
  type: dict
removed:
  description: The backups removed, by name (O(keep)).
  returned: always
  type: list
  elements: str
"""

import hashlib
import json
import os
import re
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fortytwo.inception.plugins.module_utils.files import file_is, replace_file

BACKUP = re.compile(r"^backup-[0-9]{8}T[0-9]{6}Z$")


def sha256(path):
    """The SHA-256 of a regular file, or None when there is none."""
    if not os.path.isfile(path) or os.path.islink(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sums_text(sums, files):
    """SHA256SUMS as sha256sum writes it: "<sum>  <file>" lines."""
    return "".join("%s  %s\n" % (sums[name], name) for name in files)


def parse_sums(text):
    """{file: sum} from the lines of a SHA256SUMS."""
    parsed = {}
    for line in text.splitlines():
        fields = line.split(None, 1)
        if len(fields) == 2:
            parsed[fields[1].strip().lstrip("*")] = fields[0].lower()
    return parsed


def complete_backups(backups_dir):
    """The complete backups of `backups_dir` (backup-<UTC time> directories;
    a .part one is not complete), oldest first."""
    return sorted(entry for entry in (os.listdir(backups_dir) if os.path.isdir(backups_dir) else [])
                  if BACKUP.match(entry) and os.path.isdir(os.path.join(backups_dir, entry)))


def find_backup(backups_dir, name):
    """The directory name of backup `name` ('latest': the newest complete
    one) in `backups_dir`; ValueError naming what is there when there is
    none."""
    present = complete_backups(backups_dir)
    chosen = (present[-1] if present else "") if name == "latest" else name
    if chosen not in present:
        raise ValueError("No backup %s in %s (there are: %s). Set backup_name, or backup_upload_from to a backup "
                         "fetched to the controller." % (name, backups_dir, ", ".join(present) or "none"))
    return chosen


def to_remove(backups_dir, keep, adding=()):
    """The complete backups of `backups_dir` (and `adding`, one about to be)
    beyond the newest `keep` (none for 0), oldest first."""
    if keep < 1:
        return []
    present = sorted(set(complete_backups(backups_dir)) | set(adding))
    return [entry for entry in present[:-keep] if entry not in adding]


def damaged(path, files, sums):
    """The files of the backup at `path` missing or not matching its
    SHA256SUMS, from their `sums` (None for a missing file)."""
    try:
        with open(os.path.join(path, "SHA256SUMS")) as handle:
            expected = parse_sums(handle.read())
    except (IOError, OSError):
        expected = {}
    return [name for name in files if sums[name] is None or expected.get(name) != sums[name]]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["written", "verified"], default="verified"),
            path=dict(type="path"),
            backups_dir=dict(type="path"),
            name=dict(type="str", default="latest"),
            files=dict(type="list", elements="str", required=True),
            info=dict(type="dict"),
            complete=dict(type="bool", default=False),
            keep=dict(type="int", default=0),
            owner=dict(type="int", default=0),
            group=dict(type="int", default=0),
        ),
        required_one_of=[("path", "backups_dir")],
        required_if=[("state", "written", ("path",))],
        supports_check_mode=True,
    )
    params = module.params
    files = params["files"]
    path = params["path"]
    if path is None:
        try:
            path = os.path.join(params["backups_dir"], find_backup(params["backups_dir"], params["name"]))
        except ValueError as error:
            module.fail_json(msg=str(error))
    name = os.path.basename(path.rstrip("/"))
    owner, group = params["owner"], params["group"]
    changed = False
    if params["state"] == "written" and params["info"] is not None:
        described = (json.dumps(params["info"], indent=4, sort_keys=True) + "\n").encode()
        target = os.path.join(path, "backup.json")
        changed = not file_is(target, described, 0o600, owner, group)
        if changed and not module.check_mode:
            try:
                replace_file(target, described, 0o600, owner, group)
            except OSError as error:
                module.fail_json(msg="writing %s: %s" % (target, error.strerror or error))
    # Each file hashed once, for the check or for the sums written.
    sums = dict((f, sha256(os.path.join(path, f))) for f in files)
    if params["state"] == "verified":
        bad = damaged(path, files, sums)
        if bad:
            module.fail_json(msg="%s of backup %s %s missing or %s not match its SHA256SUMS: the backup is damaged; "
                                 "restore another one (backup_name)." % (", ".join(bad), name,
                                                                         "is" if len(bad) == 1 else "are",
                                                                         "does" if len(bad) == 1 else "do"))
        module.exit_json(changed=False, name=name, path=path, sums=sums, removed=[])
    missing = [f for f in files if sums[f] is None]
    # In check mode the files are not made either: the sums would be written.
    if missing and not module.check_mode:
        module.fail_json(msg="%s: no such file in %s, nothing to sum" % (", ".join(missing), path))
    content = b"" if missing else sums_text(sums, files).encode()
    target = os.path.join(path, "SHA256SUMS")
    written = bool(missing) or not file_is(target, content, 0o600, owner, group)
    removed = []
    try:
        if written and not module.check_mode:
            replace_file(target, content, 0o600, owner, group)
        if params["complete"] and name.endswith(".part"):
            name = name[:-len(".part")]
            final = os.path.join(os.path.dirname(path.rstrip("/")), name)
            if os.path.lexists(final):
                module.fail_json(msg="%s exists already: the backup stays in %s" % (final, path))
            if not module.check_mode:
                os.rename(path, final)
            path, written = final, True
        if params["keep"]:
            removed = to_remove(os.path.dirname(path.rstrip("/")), params["keep"],
                                [name] if module.check_mode and params["complete"] else [])
            for old in removed if not module.check_mode else []:
                shutil.rmtree(os.path.join(os.path.dirname(path.rstrip("/")), old))
    except OSError as error:
        module.fail_json(msg="completing the backup %s: %s" % (path, error.strerror or error))
    module.exit_json(changed=changed or written or bool(removed), name=name, path=path, sums=sums, removed=removed)


if __name__ == "__main__":
    main()
