#!/usr/bin/env bash
# `make sanity`: ansible-test sanity, the check every certified collection
# passes, on a copy of this collection at .cache/sanity/ansible_collections/
# fortytwo/inception (ansible-test wants that path, and reads `git ls-files`).
# Offline: ansible-test bootstraps pip in each of its venvs from a script it
# downloads; the cache is seeded with one that runs this venv's pip instead.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$PWD/.venv
pip_version=$("$venv/bin/python" - <<'PY'
import re, pathlib, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", source.read_text()).group(1))
PY
)
cache=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$cache")"
cat > "$cache" <<PY
# Seeded by fortytwo.inception's tools/sanity.sh: pip from PyPI through an existing venv.
import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call(["$venv/bin/pip", "--python", sys.executable, "install", "-q", *args])
PY

copy=.cache/sanity/ansible_collections/fortytwo/inception
rm -rf "$copy"
mkdir -p "$copy"
# What is tracked or would be (not ignored), as it is in the working tree.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
    [ -e "$file" ] || [ -L "$file" ] || continue
    # The link that makes the checkout the collection: a link to a directory,
    # which ansible-test forbids (and the artifact leaves out).
    [[ "$file" == .collections/* ]] && continue
    cp --parents -P -- "$file" "$copy/"
done
cd "$copy"
git init -q
git add -A
git -c user.name=sanity -c user.email=sanity@localhost commit -q -m sanity
"$venv/bin/ansible-test" sanity --local --python "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
    --requirements --color no "$@"
