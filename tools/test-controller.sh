#!/usr/bin/env bash
# `make test-controller PYTHON=python3.13`: the controller side on another
# Python (Debian 13's is 3.13, which has no `crypt`): a venv of its own
# (.venv-<version>), the pinned requirements, the fast tests that need no
# engine (filters, plugins, modules, docs, artifact) and a syntax check of
# every playbook. Where this machine has no Python 3.13 (Debian 12 has 3.11)
# but a Docker engine, they run in a Debian 13 container with Debian's own
# python3 (an image made once with mmdebstrap from the mirror, kept as
# inception-controller:trixie), on a copy of the checkout (IN_DEBIAN_13=1
# there in any case).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3.13}

in_debian_13() {
    local image=inception-controller:trixie
    if ! docker image inspect "$image" > /dev/null 2>&1; then
        command -v mmdebstrap > /dev/null \
            || { echo "test-controller: no $python here, nor mmdebstrap to make a Debian 13 image: install python3.13 or mmdebstrap" >&2; exit 1; }
        echo "test-controller: no $python here: making a Debian 13 image (mmdebstrap, about 1 minute)"
        mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,git,ca-certificates trixie - \
            | docker import - "$image" > /dev/null
    fi
    echo "test-controller: in a Debian 13 container ($image)"
    # pip reaches PyPI with this machine's certificate authorities (a proxy
    # that inspects TLS has its own).
    local trust=()
    [ -f /etc/ssl/certs/ca-certificates.crt ] && trust=(--env PIP_CERT=/etc/ssl/certs/ca-certificates.crt
        --mount "type=bind,source=/etc/ssl/certs/ca-certificates.crt,target=/etc/ssl/certs/ca-certificates.crt,readonly")
    # The checkout as git sees it (tracked and untracked, not ignored files).
    # The host's user namespace: the tests give files ids beyond the 65536 a
    # remapped container has.
    git ls-files -z --cached --others --exclude-standard \
        | tar --null --files-from=- --ignore-failed-read --create \
        | docker run --rm --interactive --userns host --env PIP_NO_CACHE_DIR=1 "${trust[@]}" "$image" bash -c \
            'mkdir /checkout && cd /checkout && tar --extract && git init --quiet && git add --all && tools/test-controller.sh python3'
}

# IN_DEBIAN_13=1: in the container even where a 3.13 is at hand.
[ "${IN_DEBIAN_13:-}" = 1 ] && { in_debian_13; exit; }
if ! "$python" -c "" 2> /dev/null; then
    # pyenv keeps each version under its root, its shim not always answering.
    root=$(pyenv root 2> /dev/null || echo "$HOME/.pyenv")
    found=$(find "$root/versions" -maxdepth 3 -path "*/${python#python}*/bin/$python" 2> /dev/null | sort | tail -n 1)
    if [ -z "$found" ]; then
        [ "$python" = python3.13 ] && docker info > /dev/null 2>&1 && { in_debian_13; exit; }
        echo "test-controller: no $python here: install it (Debian 13 has python3.13)" >&2
        exit 1
    fi
    python=$found
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
venv=.venv-$version
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt
tools/checkout-setup.sh
export ANSIBLE_VAULT_PASSWORD_FILE=$PWD/.cache/vault-stand-in
"$venv/bin/pytest" -q -p no:cacheprovider tests/test_filters.py tests/test_images.py tests/test_host_modules.py \
    tests/test_service_image_plugin.py tests/test_userns.py tests/test_docs.py tests/test_artifact.py \
    tests/test_bench_report.py tests/test_templates.py
for playbook in playbooks/*.yml; do
    "$venv/bin/ansible-playbook" --syntax-check -i tests/inventory.yml "$playbook" > /dev/null
done
echo "test-controller: Python $version: the fast tests and the syntax check pass"
