#!/usr/bin/env bash
# ansible.cfg's vault password "file": the checkout's .vault_pass, which the
# first `make` writes with the vault. Without it, one message says what to do
# instead of Ansible's "file not found". An explicit --vault-password-file or
# ANSIBLE_VAULT_PASSWORD_FILE replaces this script.
pass="$(dirname "$0")/../.vault_pass"
if [ -r "$pass" ]; then
    exec cat "$pass"
fi
cat >&2 <<'MSG'
This checkout has no vault password file, .vault_pass. Run `make` once: it creates the venv,
the vault (inventory/group_vars/all/vault.yml, random secrets) and .vault_pass. With a vault
of your own, give its password instead: ANSIBLE_VAULT_PASSWORD_FILE=<file> ansible-playbook ...
(README, "Use it from your own project").
MSG
exit 1
