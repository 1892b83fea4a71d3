#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's secret files, written in one module call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: secret_files
short_description: Write secret files, one per secret, read-only to their owner, in one call
version_added: 0.2.0
description:
  - Makes O(directory) a directory only root can enter (0700), then makes each file of O(secrets) hold exactly
    its secret, with its owner and group and mode 0400, in one module call for the whole stack (where a loop of
    M(ansible.builtin.copy) made one call per secret).
  - Compares first and writes only what differs (content, owner, group, mode), so a secret file edited, made
    readable or removed behind Ansible's back is repaired and a rerun changes nothing. A regular file is
    rewritten in place, owner and mode first, so the containers that bind-mount it see the repaired file at once
    (a file renamed over it would leave them the old one until they restart). A rotated secret also changes
    the config digest of the containers that mount it, which are then recreated.
  - Contents are never returned or logged (C(no_log)); the result names the files it wrote.
  - With O(directories), the stack's other directories too, in the same call (first), as
    M(fortytwo.inception.directories) makes them (with O(shift)).
  - With O(files), the files of the host the services' configuration reads (nginx's C(site.conf)), root's, each set
    in its directory as M(fortytwo.inception.context_files) writes a directory's files; every set is planned
    before anything is written, so a path in the way is named first. Not secrets; the result names those
    written or removed (RV(files_changed)), which the services that read them test and reload.
options:
  directory:
    description: The directory of the secret files.
    type: path
    required: true
  secrets:
    description: The secrets, by file name.
    type: dict
    required: true
  uid:
    description: The host user ID of container root (the engine's user-namespace remapping), which owns the files.
    type: int
    default: 0
  gid:
    description: The host group ID of container root.
    type: int
    default: 0
  owners:
    description:
      - The user inside the container that reads a file, by file name, when it is not root (the registry reads
        its password file as docker-registry). Its ID is added to O(uid) and O(gid).
    type: dict
    default: {}
  files:
    description: Sets of files of the host, each in its O(files[].directory).
    type: list
    elements: dict
    default: []
    suboptions:
      directory:
        description: The directory of the set (made root's, 0755, with its subdirectories).
        type: path
        required: true
      files:
        description: Its files, each C(dest) (a path relative to the directory), C(content) and C(mode).
        type: list
        elements: dict
        default: []
      absent:
        description: Paths relative to the directory that must not exist.
        type: list
        elements: str
        default: []
  certificates:
    description:
      - Private keys and self-signed server certificates (nginx's, of the domain), each kept or made again as
        M(fortytwo.inception.tls_certificate) does, owned by O(uid) and O(gid) (container root), in the same call,
        after the directories. The paths of those made again or repaired are among RV(files_changed), so the
        services that read them test and reload them.
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
extends_documentation_fragment:
  - fortytwo.inception.directories
  - fortytwo.inception.directories.shift
attributes:
  check_mode:
    description: Says what it would write, writes nothing.
    support: full
  diff_mode:
    description: Never shows a secret, so gives no diff.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Write the secret files of the stack
  fortytwo.inception.secret_files:
    directory: /opt/inception/secrets
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
written:
  description: The names of the files written (new, changed or repaired).
  returned: always
  type: list
  elements: str
files_changed:
  description: The paths of O(files) written (new, changed or repaired) or removed, and of O(certificates) made again
    or repaired.
  returned: always
  type: list
  elements: str
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.fortytwo.inception.plugins.module_utils import certificates as tls
from ansible_collections.fortytwo.inception.plugins.module_utils.files import (
    DIRECTORY_OPTIONS, directory_is, ensure_directories, file_is, make_directory, plan_files, replace_file, write_files)

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
            directory=dict(type="path", required=True),
            secrets=dict(type="dict", required=True, no_log=True),
            uid=dict(type="int", default=0),
            gid=dict(type="int", default=0),
            owners=dict(type="dict", default={}),
            directories=dict(type="list", elements="dict", default=[], options=DIRECTORY_OPTIONS),
            shift=dict(type="dict"),
            files=dict(type="list", elements="dict", default=[], options=dict(
                directory=dict(type="path", required=True),
                files=dict(type="list", elements="dict", default=[]),
                absent=dict(type="list", elements="str", default=[]),
            )),
            certificates=dict(type="list", elements="dict", default=[], options=tls.CERTIFICATE_OPTIONS),
        ),
        supports_check_mode=True,
    )
    directory = module.params["directory"]
    # Every set planned before anything is written: a path in the way is named first.
    plans = []
    for group in module.params["files"]:
        try:
            plans.append(plan_files(group["directory"], group["files"], group["absent"]))
        except ValueError as error:
            module.fail_json(msg="files of %s: %s" % (group["directory"], error))
    certificates = module.params["certificates"]
    if certificates:
        if tls.CRYPTOGRAPHY_ERROR:
            module.fail_json(msg=missing_required_lib("cryptography (python3-cryptography)"),
                             exception=tls.CRYPTOGRAPHY_ERROR)
        for entry in certificates:
            error = tls.certificate_errors(entry["names"], entry["days"], entry["renew_days"])
            if error:
                module.fail_json(msg="certificate %s: %s" % (entry["cert_path"], error))
    changed, created, _shifted = ensure_directories(module, module.params["directories"], module.params["shift"])
    try:
        made = not directory_is(directory, 0o700)
        changed = changed or made
        if made and not module.check_mode:
            make_directory(directory, 0o700)
    except OSError as error:
        module.fail_json(msg="making the secrets directory %s: %s" % (directory, error.strerror))
    written = []
    for name in sorted(module.params["secrets"]):
        if not name or "/" in name or name in (".", ".."):
            module.fail_json(msg="secret file name %r: a plain file name is expected" % name)
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
    files_changed = []
    for folders, files, gone in plans:
        files_changed += [entry[0] for entry in files] + list(gone)
        changed = changed or bool(folders)
        if not module.check_mode:
            try:
                write_files(folders, files, gone)
            except OSError as error:
                module.fail_json(msg="writing %s: %s" % (error.filename, error.strerror))
    for entry in certificates:
        try:
            key_made, cert_made, repaired, _cert = tls.keep_certificate(
                entry["key_path"], entry["cert_path"], entry["names"], entry["days"], entry["renew_days"],
                module.params["uid"], module.params["gid"], module.check_mode)
        except OSError as error:
            module.fail_json(msg="certificate %s: %s" % (entry["cert_path"], error.strerror or error))
        files_changed += [entry["key_path"]] * key_made + [entry["cert_path"]] * cert_made + repaired
    module.exit_json(changed=changed or bool(written) or bool(files_changed), created=created, written=written,
                     files_changed=files_changed)


if __name__ == "__main__":
    main()
