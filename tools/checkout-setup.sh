#!/usr/bin/env bash
# What a plain checkout needs before Ansible and the tests can run from it,
# made here once (idempotent): the link that makes the checkout the collection
# fortytwo.inception (ansible.cfg looks under .collections/; tracked in git,
# made again here if a copy lost it), and the tests' random stand-in
# vault password (tests never read the real vault). `make` and both molecule
# scenarios (their dependency step) run it.
set -euo pipefail
cd "$(dirname "$0")/.."
link=.collections/ansible_collections/fortytwo/inception
if [ ! -e "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn ../../.. "$link"
fi
if [ ! -s .cache/vault-stand-in ]; then
    mkdir -p .cache
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > .cache/vault-stand-in)
fi
