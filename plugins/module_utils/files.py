# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the file-writing modules (host_files, context_files, tls_certificate,
directories) share: is this path already exactly the file wanted,
writing one whole, and directories with their owners and modes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import posixpath
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.fortytwo.inception.plugins.module_utils.userns import shift_tree

# The entries of a `directories` option (doc fragment fortytwo.inception.directories).
DIRECTORY_OPTIONS = dict(
    path=dict(type="path", required=True),
    owner=dict(type="str"),
    group=dict(type="str"),
    mode=dict(type="raw"),
)


def file_is(path, content, mode, owner=0, group=0):
    """Whether `path` is a regular file (not a link) holding exactly
    `content` (bytes), with `mode` and owned by `owner`:`group`."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != mode \
            or (info.st_uid, info.st_gid) != (owner, group):
        return False
    with open(path, "rb") as handle:
        return handle.read() == content


def directory_is(path, mode):
    """Whether `path` is a directory, root's, with `mode` (False when it is
    missing or differs); OSError, naming it, when something else is there (a
    file, a link): refused in check mode as it would be when writing."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(0, "%s exists and is not a directory: move it away" % path)
    return stat.S_IMODE(info.st_mode) == mode and (info.st_uid, info.st_gid) == (0, 0)


def make_directory(path, mode):
    """Make `path` a directory, root's, with `mode` (and its missing parents);
    OSError, naming it, when something else is there."""
    directory_is(path, mode)
    os.makedirs(path, mode, exist_ok=True)
    os.chown(path, 0, 0)
    os.chmod(path, mode)


def replace_file(path, content, mode, owner=0, group=0):
    """Write `content` beside `path`, owned and with `mode` before it holds
    anything, then rename it over `path` (a reader never sees half a file;
    a link there is replaced, not followed). A directory there is refused."""
    if os.path.isdir(path) and not os.path.islink(path):
        raise OSError(0, "%s is a directory: move it away" % path)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchown(out.fileno(), owner, group)
            os.fchmod(out.fileno(), mode)
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.rename(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def ensure_directories(module, entries, shift=None):
    """What ansible.builtin.file state=directory does, for each entry
    (C(path), optional C(owner), C(group), C(mode)), in check mode too; with
    `shift`, an existing directory's tree gets its owners moved (userns).
    (changed, created paths, entries shifted); fails the module, naming the
    path, where something that is not a directory is in the way."""
    keys = ("uid_from", "uid_to", "gid_from", "gid_to")
    if shift is not None and any(not isinstance(shift.get(key), int) for key in keys):
        module.fail_json(msg="shift: give the integers %s (and count), or null" % ", ".join(keys))
    changed, created, shifted = False, [], 0
    for entry in entries:
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
    return changed, created, shifted


DIRECTORY_MODE = 0o755


def relative_path(dest, option="dest"):
    """The normalized relative path of `dest`; ValueError for an absolute
    path, an empty one or one that leaves the directory."""
    dest = str(dest)
    normal = posixpath.normpath(dest)
    if not dest or dest.startswith("/") or normal == "." or normal.split("/")[0] == "..":
        raise ValueError("%s %r: a relative path inside the directory is expected" % (option, dest))
    return normal


def file_mode(mode):
    """An octal mode string ("0644") or number, as an int."""
    try:
        value = int(mode, 8) if isinstance(mode, str) else int(mode)
    except (TypeError, ValueError):
        raise ValueError("mode %r: an octal mode such as \"0644\" is expected" % (mode,))
    if not 0 <= value <= 0o7777:
        raise ValueError("mode %r: an octal mode such as \"0644\" is expected" % (mode,))
    return value


def plan_files(directory, files, absent=()):
    """The plan of a directory's files (context_files, host_files): the
    directories to make or set (root's, 0755), the files (path, content,
    mode, dest) that differ and the paths of `absent` to remove; ValueError
    naming what is in the way or wrong."""
    wanted = []
    for entry in files:
        missing = {"dest", "content", "mode"} - set(entry)
        if missing:
            raise ValueError("files: %r lacks %s" % ({k: v for k, v in entry.items() if k != "content"},
                                                     ", ".join(sorted(missing))))
        dest = relative_path(entry["dest"])
        wanted.append((os.path.join(directory, dest), to_bytes(entry["content"], errors="surrogate_or_strict"),
                       file_mode(entry["mode"]), dest))
    unwanted = [relative_path(dest, "absent") for dest in absent]
    folders = {directory}
    for dest in [entry[3] for entry in wanted] + unwanted:
        parent = posixpath.dirname(dest)
        while parent:
            folders.add(os.path.join(directory, parent))
            parent = posixpath.dirname(parent)
    gone = [os.path.join(directory, dest) for dest in unwanted if os.path.lexists(os.path.join(directory, dest))]
    taken = [path for path in gone + [entry[0] for entry in wanted] if os.path.isdir(path) and not os.path.islink(path)]
    if taken:
        raise ValueError("%s is a directory where a file is wanted or none: move it away" % ", ".join(taken))
    try:
        folders = sorted(folder for folder in folders if not directory_is(folder, DIRECTORY_MODE))
    except OSError as error:
        raise ValueError(error.strerror)
    return folders, [entry for entry in wanted if not file_is(*entry[:3])], gone


def write_files(folders, files, gone=()):
    """Make the directories, write the files and remove the paths of a plan."""
    for folder in folders:
        make_directory(folder, DIRECTORY_MODE)
    for path, content, mode, _dest in files:
        replace_file(path, content, mode)
    for path in gone:
        os.unlink(path)
