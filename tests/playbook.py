"""Run a playbook of this repository the way the tests need it: the stand-in
vault password, no colour, the repository's ansible.cfg and collection, and
the output captured. Shared by tests/ and the molecule verifiers."""
import json
import os
import pathlib
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
STAND_IN = ROOT / ".cache" / "vault-stand-in"


def private_json(path, data):
    """Write extra vars (which may hold a secret) readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(data))
    return path


def run_playbook(playbook, inventory, *args, password_file=STAND_IN, timeout=900, collections=None):
    """`collections`: another collections path (a test's altered copy)."""
    env = {**os.environ, "ANSIBLE_VAULT_PASSWORD_FILE": str(password_file),
           "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
           "ANSIBLE_COLLECTIONS_PATH": str(collections or ROOT / ".collections"), "ANSIBLE_NOCOLOR": "1"}
    # Only molecule's own runs write its log (the secrets audit reads it); the
    # tests read plain text (`make` exports ANSIBLE_FORCE_COLOR).
    for name in ("ANSIBLE_LOG_PATH", "ANSIBLE_FORCE_COLOR"):
        env.pop(name, None)
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / playbook), *args],
        cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=timeout)


def collection_copy(directory):
    """A copy of the collection as a user's checkout holds it (its tracked
    and untracked, not ignored, files) in directory/inception, for a test to
    alter; returns (the copy, a collections path that finds it as
    fortytwo.inception, for run_playbook's `collections`)."""
    copy = pathlib.Path(directory) / "inception"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    collections = pathlib.Path(directory) / "collections"
    (collections / "ansible_collections" / "fortytwo").mkdir(parents=True)
    os.symlink(copy, collections / "ansible_collections" / "fortytwo" / "inception")
    return copy, collections
