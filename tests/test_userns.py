"""plugins/module_utils/userns.py (the directories module's shift): a
directory tree's owners moved from one user-namespace mapping to the other,
and back, on real files (root only)."""
import importlib.util
import os

import pytest

from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("userns", ROOT / "plugins" / "module_utils" / "userns.py")
userns = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(userns)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")


@pytest.fixture()
def tree(tmp_path):
    (tmp_path / "db").mkdir()
    owners = {"": (999, 999), "db": (999, 999), "db/ibdata1": (999, 999), "db/root.pid": (0, 0),
              "public.txt": (33, 33), "foreign": (200000, 200000)}
    for name in ("db/ibdata1", "db/root.pid", "public.txt", "foreign"):
        (tmp_path / name).write_text(name)
    (tmp_path / "link").symlink_to("/etc/passwd")
    owners["link"] = (33, 33)
    for name, (uid, gid) in owners.items():
        os.lchown(tmp_path / name, uid, gid)
    os.chmod(tmp_path / "public.txt", 0o2755)
    return tmp_path, owners


def ids(path, name):
    st = os.lstat(path / name)
    return st.st_uid, st.st_gid


def test_a_shift_moves_the_ids_of_the_range_and_keeps_the_rest_and_the_modes(tree):
    path, owners = tree
    target = ids(pathlib_root(), "etc/passwd")
    moved = userns.shift_tree(str(path), 0, 100000, 0, 100000)
    assert moved == 6
    for name, (uid, gid) in owners.items():
        expected = (uid, gid) if uid >= 65536 else (uid + 100000, gid + 100000)
        assert ids(path, name) == expected, name
    # The link itself moved, not /etc/passwd; the setgid bit survived lchown.
    assert ids(pathlib_root(), "etc/passwd") == target
    assert os.stat(path / "public.txt").st_mode & 0o7777 == 0o2755
    # Idempotent, and the way back restores every owner.
    assert userns.shift_tree(str(path), 0, 100000, 0, 100000) == 0
    assert userns.shift_tree(str(path), 100000, 0, 100000, 0) == 6
    assert {name: ids(path, name) for name in owners} == owners


def test_check_mode_counts_without_changing(tree):
    path, owners = tree
    assert userns.shift_tree(str(path), 0, 100000, 0, 100000, apply=False) == 6
    assert {name: ids(path, name) for name in owners} == owners


def test_overlapping_ranges_are_refused(tree):
    path = tree[0]
    with pytest.raises(ValueError, match="overlap"):
        userns.shift_tree(str(path), 0, 1000, 0, 1000)


def pathlib_root():
    import pathlib
    return pathlib.Path("/")
