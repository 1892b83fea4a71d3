"""Create the encrypted vault of a host that has none.

Usage: init-vault.py VAULT_FILE PASSWORD_FILE LOGIN [DOMAIN]

Writes PASSWORD_FILE (0600, random) when it does not exist, then
VAULT_FILE encrypted with it: the login, the domain and a strong random
password for every secret. An existing VAULT_FILE is never touched.
"""
import os
import re
import secrets
import string
import subprocess
import sys

SECRETS = (
    "vault_mariadb_root_password",
    "vault_wordpress_db_password",
    "vault_wordpress_admin_password",
    "vault_wordpress_user_password",
    # Bonus services (off unless switched on).
    "vault_redis_password",
    "vault_ftp_password",
    # The fleet's registry (fleet mode).
    "vault_registry_password",
)
LOGIN_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")


def random_password(length=32):
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _unused in range(length))


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    vault, password_file, login = argv[1:4]
    domain = argv[4] if len(argv) == 5 else f"{login}.42.fr"
    if not LOGIN_RE.match(login):
        sys.exit(f"init-vault: LOGIN '{login}' is not a valid Linux user name "
                 "(lower-case letters, digits, '_' or '-'): run `make LOGIN=<your login>`")
    if os.path.exists(vault):
        print(f"init-vault: {vault} exists, left as it is")
        return
    if not os.path.exists(password_file):
        write_private(password_file, secrets.token_urlsafe(32) + "\n")
        print(f"init-vault: wrote the vault password to {password_file} (keep it, never commit it)")
    lines = ["---", f"vault_inception_login: {login}", f"vault_inception_domain: {domain}"]
    lines += [f"{name}: {random_password()}" for name in SECRETS]
    ansible_vault = os.path.join(os.path.dirname(sys.executable), "ansible-vault")
    subprocess.run(
        [ansible_vault, "encrypt", "--vault-password-file", password_file, "--encrypt-vault-id", "default",
         "--output", vault, "-"],
        input="\n".join(lines) + "\n", text=True, check=True,
        stdout=subprocess.DEVNULL,
    )
    os.chmod(vault, 0o600)
    print(f"init-vault: created {vault} for {login} ({domain}); edit it with `make vault`")


if __name__ == "__main__":
    main(sys.argv)
