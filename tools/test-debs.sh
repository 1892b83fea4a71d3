#!/usr/bin/env bash
# The Debian packages the tests drive from this machine: the load generators
# of the fault suite, the browser of the end-to-end test, and shellcheck for
# ansible-test sanity.
# Installs the missing ones when run as root; otherwise names them.
# Arguments restrict it to some commands (make bench: wrk h2load).
set -euo pipefail
declare -A need=([wrk]=wrk [h2load]=nghttp2-client [chromium]=chromium [shellcheck]=shellcheck)
commands=("$@")
((${#commands[@]})) || commands=("${!need[@]}")
missing=()
for command in "${commands[@]}"; do
    command -v "$command" > /dev/null || missing+=("${need[$command]}")
done
((${#missing[@]})) || exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "test-debs: missing ${missing[*]}: run 'sudo apt-get install ${missing[*]}'" >&2
    exit 1
fi
echo "test-debs: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; }
