"""The role READMEs and the README's variables are generated from the argument specs."""
import subprocess
import sys

from conftest import ROOT


def test_generated_docs_are_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen-docs.py"), "--check"],
                            check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_readme_quick_start_is_make_and_make_test():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.split("```sh", 1)[1].split("```", 1)[0].splitlines()]
    assert [c for c in commands if c] == ["make", "make test"]


def test_makefile_targets_in_readme_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("all", "test", "down", "fclean", "re", "vault", "docs"):
        assert f"\n{target}:" in makefile
