"""tools/init-vault.py: the vault a fresh host gets on its first `make`; tools/vault-pass.sh, its password."""
import os
import shutil
import stat
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

TOOL = ROOT / "tools" / "init-vault.py"
VAULT_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-vault")


def init(tmp_path, login="jdoe", *extra):
    # As under `make`: ansible.cfg already names the same vault password file.
    env = {**os.environ, "ANSIBLE_VAULT_PASSWORD_FILE": str(tmp_path / "pass")}
    if not (tmp_path / "pass").exists():
        env.pop("ANSIBLE_VAULT_PASSWORD_FILE")
    return subprocess.run([sys.executable, str(TOOL), str(tmp_path / "vault.yml"),
                           str(tmp_path / "pass"), login, *extra],
                          check=False, capture_output=True, text=True, env=env)


def test_works_when_the_password_file_already_exists(tmp_path):
    (tmp_path / "pass").write_text("existing-password\n")
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    assert view(tmp_path)["vault_inception_login"] == "jdoe"


def view(tmp_path):
    out = subprocess.run([VAULT_BIN, "view", "--vault-password-file", str(tmp_path / "pass"),
                          str(tmp_path / "vault.yml")], check=True, capture_output=True, text=True)
    return yaml.safe_load(out.stdout)


def test_creates_an_encrypted_vault_with_strong_distinct_secrets(tmp_path):
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "vault.yml").read_text()
    assert raw.startswith("$ANSIBLE_VAULT;1.1;AES256")
    data = view(tmp_path)
    assert data["vault_inception_login"] == "jdoe"
    assert data["vault_inception_domain"] == "jdoe.42.fr"
    secrets = [v for k, v in data.items() if k.endswith("_password")]
    # The four of the stack, the two of the bonus services (redis, ftp) and the fleet's registry.
    assert len(secrets) == 7 and len(set(secrets)) == 7
    assert all(len(s) >= 32 and s.isalnum() for s in secrets)
    for value in secrets:
        assert value not in raw and value not in result.stdout


def test_password_and_vault_files_are_private(tmp_path):
    init(tmp_path)
    for name in ("vault.yml", "pass"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_an_existing_vault_is_never_overwritten(tmp_path):
    init(tmp_path)
    before = (tmp_path / "vault.yml").read_bytes()
    result = init(tmp_path, "someoneelse")
    assert result.returncode == 0
    assert "left as it is" in result.stdout
    assert (tmp_path / "vault.yml").read_bytes() == before


def test_custom_domain(tmp_path):
    init(tmp_path, "jdoe", "example.42.fr")
    assert view(tmp_path)["vault_inception_domain"] == "example.42.fr"


@pytest.mark.parametrize("login", ["Root!", "9lives", "a" * 40, ""])
def test_invalid_login_is_refused_with_the_fix(tmp_path, login):
    result = init(tmp_path, login)
    assert result.returncode != 0
    assert "LOGIN" in result.stderr and "make LOGIN=" in result.stderr
    assert not (tmp_path / "vault.yml").exists()


def test_vault_is_ignored_by_git():
    for path in ("inventory/group_vars/all/vault.yml", ".vault_pass"):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, check=False)
        assert result.returncode == 0, f"{path} is not git-ignored"


def _checkout(tmp_path):
    (tmp_path / "tools").mkdir()
    shutil.copy2(ROOT / "tools" / "vault-pass.sh", tmp_path / "tools" / "vault-pass.sh")
    (tmp_path / "inventory" / "group_vars" / "all").mkdir(parents=True)
    return tmp_path / "tools" / "vault-pass.sh"


def test_a_checkout_without_vault_or_password_gets_a_private_password_once(tmp_path):
    script = _checkout(tmp_path)
    first = subprocess.run([script], check=True, capture_output=True, text=True).stdout.strip()
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / ".vault_pass").stat().st_mode) == 0o600
    assert subprocess.run([script], check=True, capture_output=True, text=True).stdout.strip() == first


def test_a_vault_without_its_password_file_names_the_file_and_the_fix(tmp_path):
    script = _checkout(tmp_path)
    (tmp_path / "inventory" / "group_vars" / "all" / "vault.yml").write_text("$ANSIBLE_VAULT;1.1;AES256\n")
    result = subprocess.run([script], check=False, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout == ""
    assert ".vault_pass, is not" in result.stderr and "ANSIBLE_VAULT_PASSWORD_FILE" in result.stderr
    assert not (tmp_path / ".vault_pass").exists()


def test_no_tracked_file_writes_a_password_down():
    """As the molecule secrets audit checks (test_security.py), found here first: a *_password key is only ever
    mapped from the vault or a lookup, or left empty with a comment, in every tracked file."""
    import re
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    written = []
    for path in filter(None, tracked):
        file = ROOT / path
        if file.is_file() and not file.is_symlink():
            for line in re.findall(r"^[ \t]*(?:vault_)?\w+_password:[ \t]*(\S.*)$", file.read_text(errors="ignore"),
                                   re.M):
                if not (line.startswith(("\"{{", "'{{", "{{", ">-", "#")) or "lookup(" in line):
                    written.append(f"{path}: {line}")
    assert not written
