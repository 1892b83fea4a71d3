#!/usr/bin/env bash
# The dependency step of both molecule scenarios: what `molecule test` needs
# in a plain checkout (the README's pip line, no make): the collection link
# and the stand-in vault password (checkout-setup.sh), the Debian packages the
# tests drive (test-debs.sh, as root) and sslyze's own venv. Each part does
# nothing when it is already there, as under `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/checkout-setup.sh
tools/test-debs.sh
[ -x .venv-sslyze/bin/sslyze ] || tools/bootstrap-venv.sh .venv-sslyze requirements-sslyze.txt
