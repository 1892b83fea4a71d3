#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of the host the stack keeps (the engine's daemon.json, the
directories, names in /etc/hosts, the secret files, the services' files of
the host and their certificates), compared and written in one call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_files
short_description: Write a host's files, directories, /etc/hosts names, secret files and certificates in one call
version_added: 0.3.0
description:
  - What the stack keeps on the host besides the engine's objects, in one module call per step where a loop of
    modules made one call each, each a Python start on the host on every run; C(fortytwo.inception.docker_host)
    writes the engine's C(daemon.json), the data and project directories and the stack's names in
    O(hosts_file); the stack's step of C(fortytwo.inception.service) the services' directories, secret files,
    files of the host and certificates. One module for both, so a run builds one payload for them.
  - Compares first and changes only what differs, so a rerun changes nothing and a change made behind Ansible's
    back is repaired. Every set of O(files) is planned and every path of O(directories) looked at before anything
    is written, so a path in the way is named first and nothing is replaced.
  - Each set of O(files) is written in its directory as M(fortytwo.inception.context_files) writes a directory's
    files (root's, beside its place, then renamed over it; the directory root's, 0755); each of O(directories)
    exists with its owner, group and mode, as M(fortytwo.inception.directories) makes them (with O(shift)).
  - With O(secrets), O(secrets_dir) is a directory only root can enter (0700), and each file of O(secrets) holds
    exactly its secret, with its owner and group (O(uid), O(gid), O(owners)) and mode 0400. A regular file is
    rewritten in place, owner and mode first, so the containers that bind-mount it see the repaired file at once
    (a file renamed over it would leave them the old one until they restart). A rotated secret also changes the
    config digest of the containers that mount it, which are then recreated. Contents are never returned or
    logged (C(no_log)); the result names the secret files it wrote.
  - Each name of O(hosts) resolves to its address in O(hosts_file), and no name of O(hosts_absent) is there.
    O(hosts_file) is rewritten in place, not replaced (inside a container it is a bind mount), as
    M(ansible.builtin.lineinfile) does with C(unsafe_writes); a line that gives the name right after its address
    is the name's line (the last one is replaced, as C(lineinfile) with a C(regexp) does), other lines are kept.
  - Each of O(certificates) is kept or made again as M(fortytwo.inception.tls_certificate) does, after the
    directories.
  - The paths of O(files) written or removed, and of O(certificates) made again or repaired, are
    RV(files_changed), which the services that read them test and reload.
options:
  files:
    description: Sets of files, each in its O(files[].directory).
    type: list
    elements: dict
    default: []
    suboptions:
      directory:
        description: The directory of the set (made root's, 0755, with its subdirectories).
        type: path
        required: true
      files:
        description: Its files, each C(dest) (a path relative to the directory), C(content) and C(mode) (octal).
        type: list
        elements: dict
        default: []
      absent:
        description: Paths relative to the directory that must not exist.
        type: list
        elements: str
        default: []
  secrets_dir:
    description: The directory of the secret files; needed with O(secrets).
    type: path
  secrets:
    description: The secrets, by file name.
    type: dict
    default: {}
  uid:
    description:
      - The host user ID of container root (the engine's user-namespace remapping), which owns the secret files and
        the certificates.
    type: int
    default: 0
  gid:
    description: The host group ID of container root.
    type: int
    default: 0
  owners:
    description:
      - The user inside the container that reads a secret file, by file name, when it is not root (the registry
        reads its password file as docker-registry). Its ID is added to O(uid) and O(gid).
    type: dict
    default: {}
  certificates:
    description:
      - Private keys and self-signed server certificates (nginx's, of the domain), each kept or made again as
        M(fortytwo.inception.tls_certificate) does, owned by O(uid) and O(gid) (container root).
      - Needs cryptography (Debian's python3-cryptography) on the host, only when given (docker_host installs it).
    type: list
    elements: dict
    default: []
    suboptions:
      key_path:
        description: As O(fortytwo.inception.tls_certificate#module:key_path).
        type: path
        required: true
      cert_path:
        description: As O(fortytwo.inception.tls_certificate#module:cert_path).
        type: path
        required: true
      names:
        description: As O(fortytwo.inception.tls_certificate#module:names).
        type: list
        elements: str
        required: true
      days:
        description: As O(fortytwo.inception.tls_certificate#module:days).
        type: int
        default: 365
      renew_days:
        description: As O(fortytwo.inception.tls_certificate#module:renew_days).
        type: int
        default: 30
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
  - fortytwo.inception.directories.shift
attributes:
  check_mode:
    description: Says what it would write, create and resolve, and changes nothing.
    support: full
  diff_mode:
    description: Never shows a secret, so gives no diff.
    support: none
seealso:
  - module: fortytwo.inception.directories
  - module: fortytwo.inception.tls_certificate
  - module: ansible.builtin.lineinfile
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Write the engine's daemon.json, the stack's directories and its domain in /etc/hosts
  fortytwo.inception.host_files:
    files:
      - directory: /etc/docker
        files: [{dest: daemon.json, content: "{\"log-driver\": \"local\"}\n", mode: "0644"}]
    directories:
      - {path: /home/jdoe/data, owner: root, group: root, mode: "0755"}
    hosts:
      - {name: jdoe.42.fr, address: 127.0.0.1}

- name: Write the secret files of the stack
  fortytwo.inception.host_files:
    secrets_dir: /opt/inception/secrets
    secrets:
      mariadb_root_password: "{{ mariadb_root_password }}"
      registry_htpasswd: "{{ registry_htpasswd }}"
    uid: 100000
    gid: 100000
    owners: {registry_htpasswd: 999}
  no_log: true
"""

RETURN = r"""
created:
  description: The paths of O(directories) that did not exist.
  returned: always
  type: list
  elements: str
secrets_written:
  description: The names of the secret files written (new, changed or repaired).
  returned: always
  type: list
  elements: str
files_changed:
  description: The paths of O(files) written (new, changed or repaired) or removed, and of O(certificates) made again
    or repaired.
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
import stat

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.fortytwo.inception.plugins.module_utils import certificates as tls
from ansible_collections.fortytwo.inception.plugins.module_utils.files import (
    DIRECTORY_OPTIONS, directory_is, ensure_directories, file_is, make_directory, plan_files, replace_file, write_files)


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


MODE = 0o400


def _write(directory, name, content, owner, group):
    """Make the file hold `content`, owned and 0400 before it does. A regular
    file is rewritten in place: its inode is what running containers have
    bind-mounted, so they see the repaired secret at once. Anything else
    (none, a link, a directory) is replaced by a new file."""
    path = os.path.join(directory, name)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    except OSError:
        handle = None
    if handle is not None and stat.S_ISREG(os.fstat(handle).st_mode):
        try:
            os.fchmod(handle, MODE)
            os.fchown(handle, owner, group)
            os.ftruncate(handle, 0)
            os.write(handle, content)
            os.fsync(handle)
        finally:
            os.close(handle)
        return
    if handle is not None:
        os.close(handle)
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    replace_file(path, content, MODE, owner, group)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", default=[], options=dict(
                directory=dict(type="path", required=True),
                files=dict(type="list", elements="dict", default=[]),
                absent=dict(type="list", elements="str", default=[]),
            )),
            secrets_dir=dict(type="path"),
            secrets=dict(type="dict", default={}, no_log=True),
            uid=dict(type="int", default=0),
            gid=dict(type="int", default=0),
            owners=dict(type="dict", default={}),
            directories=dict(type="list", elements="dict", default=[], options=DIRECTORY_OPTIONS),
            shift=dict(type="dict"),
            certificates=dict(type="list", elements="dict", default=[], options=tls.CERTIFICATE_OPTIONS),
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
    # Every set planned and every directory looked at before anything is
    # written: a path in the way is named first.
    plans = []
    for group in params["files"]:
        try:
            plans.append(plan_files(group["directory"], group["files"], group["absent"]))
        except ValueError as error:
            module.fail_json(msg="files of %s: %s" % (group["directory"], error))
    for entry in params["directories"]:
        if os.path.lexists(entry["path"]) and not os.path.isdir(entry["path"]):
            module.fail_json(msg="%s exists and is not a directory: move it away, nothing was replaced" % entry["path"])
    certificates = params["certificates"]
    if certificates:
        if tls.CRYPTOGRAPHY_ERROR:
            module.fail_json(msg=missing_required_lib("cryptography (python3-cryptography)"),
                             exception=tls.CRYPTOGRAPHY_ERROR)
        for entry in certificates:
            error = tls.certificate_errors(entry["names"], entry["days"], entry["renew_days"])
            if error:
                module.fail_json(msg="certificate %s: %s" % (entry["cert_path"], error))
    if params["secrets"] and not params["secrets_dir"]:
        module.fail_json(msg="secrets need secrets_dir, the directory of their files")
    for name in params["secrets"]:
        if not name or "/" in name or name in (".", ".."):
            module.fail_json(msg="secret file name %r: a plain file name is expected" % name)
    hosts_file = params["hosts_file"]
    current = ""
    if (params["hosts"] or params["hosts_absent"]) and os.path.exists(hosts_file):
        with open(hosts_file) as handle:
            current = handle.read()
    text, hosts_changed = hosts_text(current, params["hosts"], params["hosts_absent"])

    changed, created, _shifted = ensure_directories(module, params["directories"], params["shift"])
    made, secrets_written = _secrets(module) if params["secrets_dir"] else (False, [])
    changed = changed or made
    files_changed = []
    for folders, files, gone in plans:
        files_changed += [entry[0] for entry in files] + list(gone)
        changed = changed or bool(folders)
        if not module.check_mode:
            try:
                write_files(folders, files, gone)
            except OSError as error:
                module.fail_json(msg="writing %s: %s" % (error.filename, error.strerror))
    if hosts_changed and not module.check_mode:
        try:
            # In place: the same inode (a container's /etc/hosts is a bind mount).
            with open(hosts_file, "w") as handle:
                handle.write(text)
        except OSError as error:
            module.fail_json(msg="writing %s: %s" % (hosts_file, error.strerror))
    for entry in certificates:
        try:
            key_made, cert_made, repaired, _cert = tls.keep_certificate(
                entry["key_path"], entry["cert_path"], entry["names"], entry["days"], entry["renew_days"],
                params["uid"], params["gid"], module.check_mode)
        except OSError as error:
            module.fail_json(msg="certificate %s: %s" % (entry["cert_path"], error.strerror or error))
        files_changed += [entry["key_path"]] * key_made + [entry["cert_path"]] * cert_made + repaired
    module.exit_json(changed=changed or bool(secrets_written or files_changed or hosts_changed), created=created,
                     secrets_written=secrets_written, files_changed=files_changed, hosts_changed=hosts_changed)


def _secrets(module):
    """The secrets directory (root's, 0700) and each secret file: whether the
    directory was made, and the names written."""
    directory = module.params["secrets_dir"]
    try:
        made = not directory_is(directory, 0o700)
        if made and not module.check_mode:
            make_directory(directory, 0o700)
    except OSError as error:
        module.fail_json(msg="making the secrets directory %s: %s" % (directory, error.strerror))
    written = []
    for name in sorted(module.params["secrets"]):
        content = to_bytes(module.params["secrets"][name], errors="surrogate_or_strict")
        inside = int(module.params["owners"].get(name, 0))
        owner, group = module.params["uid"] + inside, module.params["gid"] + inside
        if file_is(os.path.join(directory, name), content, MODE, owner, group):
            continue
        written.append(name)
        if not module.check_mode:
            try:
                _write(directory, name, content, owner, group)
            except OSError as error:
                module.fail_json(msg="writing the secret file %s in %s: %s" % (name, directory, error.strerror))
    return made, written


if __name__ == "__main__":
    main()
