#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What docker_host needs to know of the host, read in one module call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_facts
short_description: Read in one call what preparing a Docker host needs to know of it
version_added: 0.2.0
description:
  - Reads, without changing anything, what the C(docker_host) role would otherwise learn with a dozen
    module calls on every run, each costing a Python start on the host.
  - The distribution and release of the host (C(/etc/os-release)); whether systemd is PID 1; which of
    O(packages), and of the O(release_packages) of its release, dpkg does not list as installed; the engine's
    C(/etc/docker/daemon.json) (parsed); the subordinate ID ranges of C(/etc/subuid) and C(/etc/subgid);
    whether O(data_dir) is taken by something that is not a directory; and for block I/O limits, the device
    that holds O(data_dir) (or its nearest existing parent), that device's disk when it is a partition, and
    whether the kernel throttles and weighs block I/O (cgroup v1 C(blkio) files, or cgroup v2).
  - For the services' preflight, in the same call, before any service names its volumes, what lies directly in
    O(data_dir), where their volumes keep their data (RV(data_dir_entries)); from it, the filter
    C(fortytwo.inception.volume_states) tells which of their host paths are taken by something that is not a
    directory, and which lack what a service's first start sets up in them.
options:
  packages:
    description: Debian packages whose installation to check.
    type: list
    elements: str
    default: []
  release_packages:
    description:
      - "More Debian packages a release needs, by its codename (C(VERSION_CODENAME)), for example
        C({trixie: [docker-cli]}) (Debian 13's docker.io no longer ships the C(docker) client)."
    type: dict
    default: {}
  data_dir:
    description:
      - The data directory, whose device the block I/O limits apply to and whose entries RV(data_dir_entries)
        lists; it may not exist yet.
      - Without it, RV(data_source) is empty and RV(data_disk) null (a fleet's builder asked only for its package
        state).
    type: path
  package_state:
    description:
      - The file where C(make upgrade) records, per service, the package state its image was built against (a
        JSON object); missing or unreadable, it reads as no state.
    type: path
  apt_lists:
    description: A directory of Debian package lists (fetched by C(apt-get update)) whose state to digest.
    type: path
  host:
    description:
      - Read the host's own facts (every return value but RV(apt_lists_digest)); false when only the O(apt_lists)
        are asked about, and the host's facts would be read for nothing.
    type: bool
    default: true
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Gives no diff.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Read what preparing the host needs to know of it
  fortytwo.inception.host_facts:
    packages: [docker.io, python3-requests]
    data_dir: /home/jdoe/data
  register: host
"""

RETURN = r"""
release:
  description:
    - The host's C(/etc/os-release) fields C(ID), C(VERSION_ID) and C(VERSION_CODENAME) (as C(id), C(version_id),
      C(codename)) and C(PRETTY_NAME) (as C(name)); empty strings when the file lacks them.
  returned: when O(host) is true
  type: dict
  sample: {id: debian, version_id: "12", codename: bookworm, name: Debian GNU/Linux 12 (bookworm)}
packages_wanted:
  description: O(packages), then the O(release_packages) of the host's release.
  returned: when O(host) is true
  type: list
  elements: str
systemd:
  description: Whether systemd is PID 1 (C(/run/systemd/system) exists).
  returned: when O(host) is true
  type: bool
packages_missing:
  description: The packages of RV(packages_wanted) that dpkg does not list as installed, in their order.
  returned: when O(host) is true
  type: list
  elements: str
daemon_json:
  description: The engine's C(/etc/docker/daemon.json), parsed; empty when there is none.
  returned: when O(host) is true
  type: dict
subuid:
  description: The text of C(/etc/subuid) (empty when missing).
  returned: when O(host) is true
  type: str
subgid:
  description: The text of C(/etc/subgid) (empty when missing).
  returned: when O(host) is true
  type: str
data_source:
  description: The device (or file system) that holds O(data_dir), as C(findmnt) names it.
  returned: when O(host) is true
  type: str
data_dir_taken:
  description: Whether O(data_dir) exists and is not a directory (a file, or a link to one).
  returned: when O(host) is true
  type: bool
data_disk:
  description: The disk of that device when it is a partition (lsblk's PKNAME), empty for a whole device, null when lsblk cannot tell.
  returned: when O(host) is true
  type: str
blkio_throttles:
  description: Whether the kernel throttles block I/O (cgroup v1 C(blkio.throttle.*) or cgroup v2).
  returned: when O(host) is true
  type: bool
blkio_weight:
  description: Whether the kernel applies a block I/O weight (cgroup v1 C(blkio.weight)).
  returned: when O(host) is true
  type: bool
package_state:
  description: What O(package_state) holds, service -> state; empty when there is none.
  returned: when O(host) is true
  type: dict
data_dir_entries:
  description:
    - What lies directly in O(data_dir), by name; for a directory (not a link to one), the names it holds; for
      anything else (a file, a link), null. Empty when O(data_dir) does not exist or is not a directory.
  returned: when O(host) is true
  type: dict
  sample: {mariadb: [aria_log_control, mysql], wordpress: [.inception-seeded, wp-config.php], notes.txt: null}
apt_lists_digest:
  description:
    - The first 8 hex digits of a SHA-256 over the C(Release) files of O(apt_lists) (each suite's index of its
      package lists, dated and signed by the mirror), so the same lists give the same digest; empty without any.
  returned: always
  type: str
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ""


def os_release(text):
    """{id, version_id, codename, name} from the text of /etc/os-release."""
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            fields[key] = value.strip().strip('"').strip("'")
    return {"id": fields.get("ID", ""), "version_id": fields.get("VERSION_ID", ""),
            "codename": fields.get("VERSION_CODENAME", ""), "name": fields.get("PRETTY_NAME", "")}


def wanted_packages(packages, release_packages, codename):
    """The packages, then those the release adds (without repeating one)."""
    wanted = list(packages or [])
    for name in (release_packages or {}).get(codename) or []:
        if name not in wanted:
            wanted.append(name)
    return wanted


def existing_parent(path):
    """The nearest existing directory at or above `path`."""
    path = os.path.abspath(path)
    while not os.path.exists(path) and path != os.path.dirname(path):
        path = os.path.dirname(path)
    return path


def missing_packages(module, packages):
    if not packages:
        return []
    _rc, out, _err = module.run_command(["dpkg-query", "--show", "--showformat=${db:Status-Status} ${Package}\\n"]
                                        + list(packages))
    installed = {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("installed ")}
    return [name for name in packages if name not in installed]


def data_device(module, data_dir):
    """(findmnt's SOURCE for the data directory, lsblk's PKNAME of it or None)."""
    rc, out, _err = module.run_command(["findmnt", "--noheadings", "--nofsroot", "--output", "SOURCE", "--target",
                                        existing_parent(data_dir)])
    source = out.strip() if rc == 0 else ""
    disk = None
    if source.startswith("/dev/"):
        rc, out, _err = module.run_command(["lsblk", "--noheadings", "--nodeps", "--output", "PKNAME", source])
        disk = out.strip() if rc == 0 else None
    return source, disk


def package_state(path):
    """The recorded package states, {service: state}; {} when missing or not such an object."""
    try:
        state = json.loads(_read(path)) if path else {}
    except ValueError:
        return {}
    if not isinstance(state, dict):
        return {}
    return dict((str(key), str(value)) for key, value in state.items() if value)


def lists_digest(directory):
    """A digest of the Release files of a directory of apt lists ('' when none)."""
    if not directory or not os.path.isdir(directory):
        return ""
    names = sorted(name for name in os.listdir(directory) if name.endswith(("_Release", "_InRelease")))
    if not names:
        return ""
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0")
        with open(os.path.join(directory, name), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:8]


def data_entries(data_dir):
    """What lies directly in data_dir, by name: the names a directory (not a
    link) holds, None for anything else; {} without a data_dir directory."""
    try:
        names = os.listdir(data_dir) if data_dir else []
    except OSError:
        names = []
    entries = {}
    for name in names:
        path = os.path.join(data_dir, name)
        entries[name] = None
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                entries[name] = sorted(os.listdir(path))
            except OSError:
                entries[name] = []
    return entries


def main():
    module = AnsibleModule(
        argument_spec=dict(
            packages=dict(type="list", elements="str", default=[]),
            release_packages=dict(type="dict", default={}),
            data_dir=dict(type="path"),
            package_state=dict(type="path"),
            apt_lists=dict(type="path"),
            host=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    if not module.params["host"]:
        module.exit_json(changed=False, apt_lists_digest=lists_digest(module.params["apt_lists"]))
    daemon_text = _read("/etc/docker/daemon.json")
    try:
        daemon_json = json.loads(daemon_text) if daemon_text.strip() else {}
    except ValueError as error:
        module.fail_json(msg="/etc/docker/daemon.json is not valid JSON (%s): fix it or remove it, the engine "
                             "would not start with it" % error)
    data_dir = module.params["data_dir"]
    source, disk = data_device(module, data_dir) if data_dir else ("", None)
    release = os_release(_read("/etc/os-release") or _read("/usr/lib/os-release"))
    wanted = wanted_packages(module.params["packages"], module.params["release_packages"], release["codename"])
    module.exit_json(
        changed=False,
        release=release,
        packages_wanted=wanted,
        systemd=os.path.isdir("/run/systemd/system"),
        packages_missing=missing_packages(module, wanted),
        daemon_json=daemon_json,
        subuid=_read("/etc/subuid"),
        subgid=_read("/etc/subgid"),
        data_source=source,
        data_dir_taken=bool(data_dir) and os.path.lexists(data_dir) and not os.path.isdir(data_dir),
        data_disk=disk,
        blkio_throttles=os.path.exists("/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device")
        or os.path.exists("/sys/fs/cgroup/cgroup.controllers"),
        blkio_weight=os.path.exists("/sys/fs/cgroup/blkio/blkio.weight"),
        package_state=package_state(module.params["package_state"]),
        apt_lists_digest=lists_digest(module.params["apt_lists"]),
        data_dir_entries=data_entries(data_dir),
    )


if __name__ == "__main__":
    main()
