#!/usr/bin/env bash
# The dependency step of both molecule scenarios: what `molecule test` needs
# in a plain checkout (the README's pip line, no make): the collection link
# and the stand-in vault password (checkout-setup.sh), the Debian packages the
# tests drive (test-debs.sh, as root) and sslyze's own venv. Each part does
# nothing when it is already there, as under `make test`. Last, it clears the
# log of the last sequence.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/checkout-setup.sh
tools/test-debs.sh
[ -x .venv-sslyze/bin/sslyze ] || tools/bootstrap-venv.sh .venv-sslyze requirements-sslyze.txt

# A sequence starts a new log of Ansible's runs (the scenarios' ANSIBLE_LOG_PATH,
# in molecule's ephemeral directory, given as $1, which outlives the sequence):
# the verifier looks there for secrets and warnings, never in an earlier
# sequence's lines.
if [ -n "${1:-}" ]; then rm -f "$1/ansible.log"; fi
