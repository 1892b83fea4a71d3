"""Bad input is refused by the preflight, naming the variable, before any change.

`--tags preflight` runs only the validation play (and the tasks tagged
always), so even a preflight that wrongly passes changes nothing here.
"""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

GOOD = {
    "inception_login": "jdoe",
    "mariadb_root_password": "root-Secret-0001",
    "wordpress_db_password": "db-Secret-0002",
    "wordpress_admin_password": "admin-Secret-0003",
    "wordpress_user_password": "user-Secret-0004",
}
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def preflight(tmp_path, **overrides):
    variables = {**GOOD, **overrides}
    variables = {k: v for k, v in variables.items() if v is not None}
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps(variables))
    env = {**os.environ, "ANSIBLE_VAULT_PASSWORD_FILE": str(ROOT / "tests" / "no-vault-password.sh"),
           "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        [PLAYBOOK_BIN, "-i", "tests/inventory.yml", "playbooks/site.yml", "--tags", "preflight",
         "-e", f"@{extra}", "-e", "ansible_python_interpreter=" + sys.executable],
        cwd=ROOT, env=env, capture_output=True, text=True)


def test_good_input_passes(tmp_path):
    result = preflight(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "changed=0" in result.stdout


@pytest.mark.parametrize("overrides,variable", [
    ({"wordpress_admin_user": "SiteAdmin"}, "wordpress_admin_user"),
    ({"wordpress_admin_user": "boss_ADMINISTRATOR"}, "wordpress_admin_user"),
    ({"wordpress_user": "jdoe"}, "wordpress_user"),
    ({"wordpress_admin_email": "not-an-address"}, "wordpress_admin_email"),
    ({"wordpress_user_role": "administrator"}, "wordpress_user_role"),
    ({"inception_domain": "not a domain"}, "inception_domain"),
    ({"inception_login": "Jean Doe"}, "inception_login"),
    ({"nginx_tls_protocols": ["TLSv1.1", "TLSv1.2"]}, "nginx_tls_protocols"),
    ({"docker_host_base_image": "debian:latest"}, "docker_host_base_image"),
    ({"docker_host_base_image_method": "download"}, "docker_host_base_image_method"),
    ({"wordpress_db_name": "word-press"}, "wordpress_db_name"),
    ({"wordpress_user_password": None}, "wordpress_user_password"),
    ({"inception_data_dir": "relative/data"}, "inception_data_dir"),
    ({"inception_https_port": 70000}, "inception_https_port"),
])
def test_bad_input_is_refused_naming_the_variable(tmp_path, overrides, variable):
    result = preflight(tmp_path, **overrides)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert variable in output
    # The validation play failed: the deployment play never started.
    assert "Deploy the Inception stack" not in output
