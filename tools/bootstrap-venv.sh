#!/bin/sh
# Usage: bootstrap-venv.sh VENV REQUIREMENTS_FILE
# Creates the virtualenv (installing Debian's python3-venv first when it is
# missing and we are root) and installs the pinned requirements into it.
set -eu
venv=$1
requirements=$2

if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
        echo "bootstrap: installing python3-venv"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv > /dev/null
    else
        echo "bootstrap: Python's venv module is missing: run 'sudo apt-get install python3-venv'" >&2
        exit 1
    fi
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
echo "bootstrap: installing $requirements into $venv (first time: about a minute)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
