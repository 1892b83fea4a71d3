#!/usr/bin/env bash
# ansible.cfg's vault password "file": the checkout's .vault_pass. A checkout
# without a vault and without it gets one now, random and private, as the first
# `make` would (tools/init-vault.py then encrypts the vault it makes with it,
# and `ansible-vault create` the one you make). A vault without .vault_pass
# gets one message saying what to do instead of Ansible's "file not found".
# An explicit --vault-password-file or ANSIBLE_VAULT_PASSWORD_FILE replaces
# this script.
set -euo pipefail
root="$(dirname "$0")/.."
if [ ! -e "$root/.vault_pass" ] && [ ! -e "$root/inventory/group_vars/all/vault.yml" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$root/.vault_pass")
fi
if [ -r "$root/.vault_pass" ]; then
    exec cat "$root/.vault_pass"
fi
cat >&2 <<'MSG'
inventory/group_vars/all/vault.yml is here but its password file, .vault_pass, is not. Put back
the .vault_pass that `make` wrote with the vault, or give the vault's password another way:
ANSIBLE_VAULT_PASSWORD_FILE=<file> ansible-playbook ... (README, "Use it from your own project").
MSG
exit 1
