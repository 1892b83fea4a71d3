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


def test_every_filter_is_documented_with_its_own_arguments():
    """ansible-doc -t filter shows each filter (a sidecar plugins/filter/<name>.yml) and the documented
    options are the function's own arguments, the positional ones in order."""
    import importlib.util
    import inspect

    import yaml
    spec = importlib.util.spec_from_file_location("inception_filters", ROOT / "plugins" / "filter" / "inception.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    filters = module.FilterModule().filters()
    documented = {path.stem for path in (ROOT / "plugins" / "filter").glob("*.yml")}
    assert documented == set(filters)
    for name, function in filters.items():
        doc = yaml.safe_load((ROOT / "plugins" / "filter" / f"{name}.yml").read_text())
        assert doc["DOCUMENTATION"]["name"] == name
        assert doc["EXAMPLES"].count(f"fortytwo.inception.{name}") >= 1 and doc["RETURN"]["_value"]["description"]
        arguments = list(inspect.signature(function).parameters)[1:]
        options = doc["DOCUMENTATION"]["options"]
        assert list(options) == ["_input"] + arguments, name
        positional = [p.strip() for p in doc["DOCUMENTATION"].get("positional", "").split(",") if p.strip()]
        assert positional == arguments, name
        for argument, parameter in list(inspect.signature(function).parameters.items())[1:]:
            assert options[argument].get("required", False) == (parameter.default is inspect.Parameter.empty), \
                f"{name}: {argument}"


def test_ansible_doc_lists_no_undocumented_filter():
    from pathlib import Path
    ansible_doc = Path(sys.executable).parent / "ansible-doc"
    result = subprocess.run([str(ansible_doc), "-t", "filter", "-l", "fortytwo.inception"],
                            check=True, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) >= 19 and not [line for line in lines if "UNDOCUMENTED" in line]


def test_the_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 250
    headings = [line[3:] for line in readme.splitlines() if line.startswith("## ")]
    for wanted in ("Requirements", "Quick start", "Use it from your own project", "Testing", "Roles", "License"):
        assert wanted in headings, wanted


def _anchors(text):
    import re
    anchors, fence = set(), False
    for line in text.splitlines():
        fence = fence != line.startswith("```")
        if not fence and re.match(r"#{1,6} ", line):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def test_links_between_the_documents_resolve():
    import re
    for document in ("README.md", "USER_DOC.md", "DEV_DOC.md"):
        text = (ROOT / document).read_text()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, anchor = (target.split("#", 1) + [""])[:2]
            linked = ROOT / path if path else ROOT / document
            assert linked.exists(), f"{document}: {target}"
            if anchor and linked.suffix == ".md":
                assert anchor in _anchors(linked.read_text()), f"{document}: {target}"


def test_ansible_doc_shows_every_module():
    from pathlib import Path
    modules = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
    result = subprocess.run([str(Path(sys.executable).parent / "ansible-doc"), "-t", "module", "--json",
                             *[f"fortytwo.inception.{name}" for name in modules]],
                            check=False, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    import json
    docs = json.loads(result.stdout)
    assert sorted(docs) == [f"fortytwo.inception.{name}" for name in modules]
    assert all(doc["doc"]["short_description"] and doc["doc"]["options"] for doc in docs.values())
