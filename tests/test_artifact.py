"""The collection artifact (`ansible-galaxy collection build`): it holds the
collection and its documentation, not the developer's side, never a vault, and
galaxy.yml declares every collection its code calls."""
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from playbook import collection_copy

GALAXY = Path(sys.executable).parent / "ansible-galaxy"
SHIPPED = ("roles", "playbooks", "plugins", "meta", "changelogs")


def build(source, output):
    subprocess.run([str(GALAXY), "collection", "build", "--output-path", str(output), str(source)],
                   check=True, capture_output=True, text=True)
    (artifact,) = output.glob("fortytwo-inception-*.tar.gz")
    with tarfile.open(artifact) as tar:
        return {member.name: tar.extractfile(member).read() if member.isfile() else None
                for member in tar.getmembers()}


@pytest.fixture(scope="module")
def checkout_copy(tmp_path_factory):
    """The checkout as git has it, with a vault planted wherever an inventory or a role could hold one."""
    copy, _collections = collection_copy(tmp_path_factory.mktemp("checkout"))
    encrypted = "$ANSIBLE_VAULT;1.1;AES256\n6136\n"
    for planted in ("inventory/group_vars/all/vault.yml", "inventory/host_vars/web1/vault.yml",
                    "inventory/group_vars/inception/vault.yaml", "playbooks/group_vars/all/vault.yml",
                    "playbooks/host_vars/web1/vault", "roles/mariadb/vars/vault.yml", ".vault_pass"):
        (copy / planted).parent.mkdir(parents=True, exist_ok=True)
        (copy / planted).write_text(encrypted)
    return copy


@pytest.fixture(scope="module")
def artifact(checkout_copy, tmp_path_factory):
    return build(checkout_copy, tmp_path_factory.mktemp("dist"))


def test_the_artifact_holds_the_collection_and_its_documentation(artifact):
    top = {name.split("/")[0] for name in artifact}
    assert top == {"MANIFEST.json", "FILES.json", "README.md", "USER_DOC.md", "DEV_DOC.md", "CHANGELOG.rst",
                   "LICENSE", "requirements.txt", "docs", *SHIPPED}
    for role in (ROOT / "roles").iterdir():
        assert f"roles/{role.name}/meta/argument_specs.yml" in artifact, role.name
    assert "playbooks/site.yml" in artifact and "plugins/filter/inception.py" in artifact
    assert b"MIT License" in artifact["LICENSE"]


def test_the_artifact_leaves_the_developer_side_out(artifact):
    for left_out in ("Makefile", "ansible.cfg", "tools/", "tests/", "molecule/", "inventory/", ".ci/",
                     ".collections/", ".venv/", ".cache/", "requirements-test.txt"):
        assert not [name for name in artifact if name == left_out.rstrip("/") or name.startswith(left_out)], left_out


def test_no_vault_enters_the_artifact_from_any_directory(artifact):
    assert not [name for name in artifact if "vault" in name.lower()]
    vaulted = re.compile(rb"(?m)^\s*\$ANSIBLE_VAULT;1\.[12];|!vault\s*\|")
    assert not [name for name, content in artifact.items() if content and vaulted.search(content)]


def test_galaxy_declares_every_collection_the_shipped_code_calls():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    # ansible.builtin and ansible.legacy come with ansible-core.
    declared = set(galaxy["dependencies"]) | {"ansible.builtin", "ansible.legacy", "fortytwo.inception"}
    # A plugin, module or role named by its FQCN; in Python, only as a string (not `from ansible.module_utils`).
    fqcn = r"(?:ansible|community|[a-z_]+)\.[a-z_]+\.[a-z_0-9]+"
    called = set()
    for top in SHIPPED[:3]:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix in (".yml", ".yaml", ".j2", ".py"):
                text = path.read_text()
                names = re.findall(r"[\"']({0})[\"']".format(fqcn), text) if path.suffix == ".py" else \
                    re.findall(r"\b((?:ansible|community)\.[a-z_]+)\.[a-z_0-9]+\b", text)
                called |= {".".join(name.split(".")[:2]) for name in names}
    assert {"community.docker", "community.general"} <= called
    assert called <= declared, f"galaxy.yml does not declare {sorted(called - declared)}"
