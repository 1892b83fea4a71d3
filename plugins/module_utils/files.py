# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the file-writing modules (secret_files, context_files, tls_certificate)
share: is this path already exactly the file wanted, and writing one whole."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import tempfile


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
