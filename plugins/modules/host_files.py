#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's own files for the stack (the engine's daemon.json, the data and
project directories, names in /etc/hosts), compared and written in one call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_files
short_description: Write a host's files, directories and /etc/hosts names in one call
version_added: 0.3.0
description:
  - What C(fortytwo.inception.docker_host) keeps on the host besides the engine, in one module call where it made
    three (M(fortytwo.inception.context_files), M(fortytwo.inception.directories), M(ansible.builtin.lineinfile)),
    each a Python start on the host on every run.
  - Each of O(files) holds exactly its content, root's, with its mode, its directory root's, 0755, as
    M(fortytwo.inception.context_files) writes a directory's files (beside its place, then renamed over it); each
    of O(directories) exists with its owner, group and mode, as M(fortytwo.inception.directories) makes them; each name of O(hosts) resolves to its address in
    O(hosts_file), and no name of O(hosts_absent) is there.
  - Compares first and changes only what differs, so a rerun changes nothing and a change made behind Ansible's
    back is repaired. A path taken by something that is not a directory, where one is wanted, fails the module,
    naming it, before anything is written.
  - O(hosts_file) is rewritten in place, not replaced (inside a container it is a bind mount), as
    M(ansible.builtin.lineinfile) does with C(unsafe_writes); a line that gives the name right after its address
    is the name's line (the last one is replaced, as C(lineinfile) with a C(regexp) does), other lines are kept.
options:
  files:
    description: Files, root's, each written whole.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file, an absolute path.
        type: path
        required: true
      content:
        description: What it holds.
        type: str
        required: true
      mode:
        description: Its mode, octal (C("0644")).
        type: str
        required: true
  hosts:
    description: Names to resolve.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The name.
        type: str
        required: true
      address:
        description: Its address.
        type: str
        required: true
  hosts_absent:
    description: Names whose lines are removed from O(hosts_file).
    type: list
    elements: str
    default: []
  hosts_file:
    description: The hosts file.
    type: path
    default: /etc/hosts
extends_documentation_fragment:
  - fortytwo.inception.directories
attributes:
  check_mode:
    description: Says what it would write, create and resolve, and changes nothing.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
seealso:
  - module: fortytwo.inception.directories
  - module: ansible.builtin.lineinfile
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Write the engine's daemon.json, the stack's directories and its domain in /etc/hosts
  fortytwo.inception.host_files:
    files:
      - {path: /etc/docker/daemon.json, content: "{\"log-driver\": \"local\"}\n", mode: "0644"}
    directories:
      - {path: /home/jdoe/data, owner: root, group: root, mode: "0755"}
    hosts:
      - {name: jdoe.42.fr, address: 127.0.0.1}
"""

RETURN = r"""
written:
  description: The paths of O(files) that were (in check mode, would be) written.
  returned: always
  type: list
  elements: str
created:
  description: The paths of O(directories) that did not exist.
  returned: always
  type: list
  elements: str
hosts_changed:
  description: The names of O(hosts) and O(hosts_absent) whose lines were (would be) written or removed.
  returned: always
  type: list
  elements: str
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fortytwo.inception.plugins.module_utils.files import (
    DIRECTORY_OPTIONS, ensure_directories, plan_files, write_files)


def _names_line(name):
    """A line that gives `name` right after its address (lineinfile's regexp)."""
    return re.compile(r"^\S+\s+%s(\s.*)?$" % re.escape(name))


def hosts_text(text, hosts, absent):
    """`text` (a hosts file) with each of `hosts` ({name, address}) resolved,
    its last line replaced or a line appended, and the lines of `absent`
    names removed; and the names whose lines changed."""
    lines = text.splitlines()
    changed = []
    for name in absent:
        pattern = _names_line(name)
        kept = [line for line in lines if not pattern.match(line)]
        if len(kept) != len(lines):
            changed.append(name)
        lines = kept
    for entry in hosts:
        wanted = "%s %s" % (entry["address"], entry["name"])
        pattern = _names_line(entry["name"])
        found = [index for index, line in enumerate(lines) if pattern.match(line)]
        if not found:
            lines.append(wanted)
        elif lines[found[-1]] != wanted:
            lines[found[-1]] = wanted
        else:
            continue
        changed.append(entry["name"])
    return "".join(line + "\n" for line in lines), changed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="path", required=True),
                content=dict(type="str", required=True),
                mode=dict(type="str", required=True),
            )),
            directories=dict(type="list", elements="dict", default=[], options=DIRECTORY_OPTIONS),
            hosts=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                address=dict(type="str", required=True),
            )),
            hosts_absent=dict(type="list", elements="str", default=[]),
            hosts_file=dict(type="path", default="/etc/hosts"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    # What differs, every path that is in the way named before anything is
    # written: each file planned as context_files plans its directory's.
    folders, files = [], []
    for entry in params["files"]:
        if not os.path.isabs(entry["path"]):
            module.fail_json(msg="files: %s is not an absolute path" % entry["path"])
        try:
            made, differ, _gone = plan_files(os.path.dirname(entry["path"]), [dict(
                entry, dest=os.path.basename(entry["path"]))])
        except ValueError as error:
            module.fail_json(msg="files: %s" % error)
        folders += [folder for folder in made if folder not in folders]
        files += differ
    for entry in params["directories"]:
        if os.path.lexists(entry["path"]) and not os.path.isdir(entry["path"]):
            module.fail_json(msg="%s exists and is not a directory: move it away, nothing was replaced" % entry["path"])
    hosts_file = params["hosts_file"]
    current = ""
    if os.path.exists(hosts_file):
        with open(hosts_file) as handle:
            current = handle.read()
    text, hosts_changed = hosts_text(current, params["hosts"], params["hosts_absent"])

    if not module.check_mode:
        try:
            write_files(folders, files)
            if hosts_changed:
                # In place: the same inode (a container's /etc/hosts is a bind mount).
                with open(hosts_file, "w") as handle:
                    handle.write(text)
        except OSError as error:
            module.fail_json(msg="writing %s: %s" % (error.filename or "the host's files", error.strerror or error))
    dirs_changed, created, _shifted = ensure_directories(module, params["directories"])
    module.exit_json(changed=bool(folders or files or hosts_changed or dirs_changed),
                     written=[path for path, _c, _m, _d in files],
                     created=created, hosts_changed=hosts_changed)


if __name__ == "__main__":
    main()
