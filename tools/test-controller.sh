#!/usr/bin/env bash
# `make test-controller PYTHON=python3.13`: the controller side on another
# Python (Debian 13's is 3.13, which has no `crypt`): a venv of its own
# (.venv-<version>), the pinned requirements, the fast tests that need no
# engine (filters, plugins, modules, docs, artifact) and a syntax check of
# every playbook.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3.13}
if ! "$python" -c "" 2> /dev/null; then
    # pyenv keeps each version under its root, its shim not always answering.
    root=$(pyenv root 2> /dev/null || echo "$HOME/.pyenv")
    found=$(find "$root/versions" -maxdepth 3 -path "*/${python#python}*/bin/$python" 2> /dev/null | sort | tail -n 1)
    [ -n "$found" ] || { echo "test-controller: no $python here: install it (Debian 13 has python3.13)" >&2; exit 1; }
    python=$found
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
venv=.venv-$version
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt
tools/checkout-setup.sh
export ANSIBLE_VAULT_PASSWORD_FILE=$PWD/.cache/vault-stand-in
"$venv/bin/pytest" -q -p no:cacheprovider tests/test_filters.py tests/test_images.py tests/test_host_modules.py \
    tests/test_service_image_plugin.py tests/test_shift_ids.py tests/test_docs.py tests/test_artifact.py \
    tests/test_bench_report.py tests/test_templates.py
for playbook in playbooks/*.yml; do
    "$venv/bin/ansible-playbook" --syntax-check -i tests/inventory.yml "$playbook" > /dev/null
done
echo "test-controller: Python $version: the fast tests and the syntax check pass"
