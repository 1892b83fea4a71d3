#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of a directory (a build context, nginx's host files), written in one module call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: context_files
short_description: Write the files of a directory (a build context), rendered on the controller, in one call
version_added: 0.2.0
description:
  - Makes O(directory) and the directories under it that O(files) and O(absent) name root's, 0755, each file
    hold exactly its content, root's, with its mode, and each file of O(absent) gone, in one module call (where a
    M(ansible.builtin.copy) per file made two module calls each, about a second per service before its build
    could start).
  - Compares first and writes only what differs (content, owner, group, mode); a file is written beside its
    place and renamed over it, so a build never reads half a file.
  - Files of the directory that neither O(files) nor O(absent) name are left alone.
  - M(fortytwo.inception.service_image) calls it with the files M(fortytwo.inception.service_plan) rendered,
    before it builds. M(fortytwo.inception.host_files) writes the services' files of the host (nginx's
    C(site.conf)) the same way, with the stack's secrets, in one call.
options:
  directory:
    description: The build context's directory.
    type: path
    required: true
  files:
    description:
      - The files, each C(dest) (a relative path in O(directory), no C(..)), C(content) and C(mode) (octal, as
        C("0644")).
    type: list
    elements: dict
    required: true
  absent:
    description:
      - Files that must not be there (relative paths in O(directory), no C(..)), as a server this host no longer
        runs; removed where they are (a link is removed, not followed). A directory there is refused, named.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Says what it would write, writes nothing.
    support: full
  diff_mode:
    description: Names the files it writes, gives no diff of their content.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Write the build context of mariadb
  fortytwo.inception.context_files:
    directory: /opt/inception/build/mariadb
    files:
      - {dest: Dockerfile, content: "FROM debian:bookworm\n", mode: "0644"}
      - {dest: conf/entrypoint.sh, content: "#!/bin/sh\nexec mariadbd\n", mode: "0755"}

- name: Write a directory's files, without the server of a registry it does not run
  fortytwo.inception.context_files:
    directory: /opt/inception/nginx
    files:
      - {dest: site.conf, content: "server_name jdoe.42.fr;\n", mode: "0644"}
    absent: [servers/registry.conf]
"""

RETURN = r"""
written:
  description: The files written (new, changed or repaired), by C(dest).
  returned: always
  type: list
  elements: str
removed:
  description: The files of O(absent) that were there (in check mode, that would be removed).
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fortytwo.inception.plugins.module_utils.files import plan_files, write_files


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directory=dict(type="path", required=True),
            files=dict(type="list", elements="dict", required=True),
            absent=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    directory = module.params["directory"]
    try:
        folders, files, gone = plan_files(directory, module.params["files"], module.params["absent"])
    except ValueError as error:
        module.fail_json(msg="context_files in %s: %s" % (directory, error))
    if not module.check_mode:
        try:
            write_files(folders, files, gone)
        except OSError as error:
            module.fail_json(msg="writing the files of %s: %s" % (directory, error.strerror or error))
    module.exit_json(changed=bool(folders or files or gone), written=[dest for _p, _c, _m, dest in files],
                     removed=[os.path.relpath(path, directory) for path in gone])


if __name__ == "__main__":
    main()
