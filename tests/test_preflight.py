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
from playbook import private_json, run_playbook

GOOD = {
    "inception_login": "jdoe",
    "mariadb_root_password": "root-Secret-0001",
    "wordpress_db_password": "db-Secret-0002",
    "wordpress_admin_password": "admin-Secret-0003",
    "wordpress_user_password": "user-Secret-0004",
}


def preflight(tmp_path, **overrides):
    variables = {**GOOD, **overrides}
    variables = {k: v for k, v in variables.items() if v is not None}
    extra = private_json(tmp_path / "vars.json", variables)
    return run_playbook("site.yml", ROOT / "tests" / "inventory.yml", "--tags", "preflight",
                        "-e", f"@{extra}", "-e", "ansible_python_interpreter=" + sys.executable)


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
    ({"inception_base_image": "debian:latest"}, "inception_base_image"),
    ({"docker_host_base_image_method": "download"}, "docker_host_base_image_method"),
    ({"wordpress_db_name": "word-press"}, "wordpress_db_name"),
    ({"wordpress_user_password": None}, "wordpress_user_password"),
    ({"inception_data_dir": "relative/data"}, "inception_data_dir"),
    ({"inception_data_dir": "A_FILE"}, "inception_data_dir"),
    ({"inception_https_port": 70000}, "inception_https_port"),
    ({"wordpress_admin_password": "short-0003"}, "wordpress_admin_password"),
    ({"mariadb_root_password": "short"}, "mariadb_root_password"),
    ({"wordpress_user_password": "admin-Secret-0003"}, "wordpress_user_password"),
    ({"wordpress_db_password": "root-Secret-0001"}, "mariadb_root_password"),
    ({"wordpress_user": "jdoe_the_writer", "wordpress_user_password": "JDOE_THE_WRITER"},
     "wordpress_user_password"),
    ({"wordpress_user_email": "jdoe@jdoe.42.fr"}, "wordpress_user_email"),
    # Bonus services: checked when they are on, named when wrong.
    ({"inception_bonus": True, "ftp_password": "ftp-Secret-0006"}, "redis_password"),
    ({"inception_redis_enabled": True, "redis_password": "short"}, "redis_password"),
    ({"inception_ftp_enabled": True}, "ftp_password"),
    ({"inception_ftp_enabled": True, "ftp_password": "ftp-Secret-0006",
      "ftp_passive_address": "jdoe.42.fr"}, "ftp_passive_address"),
    ({"inception_ftp_enabled": True, "ftp_password": "ftp-Secret-0006",
      "ftp_passive_min_port": 21110, "ftp_passive_max_port": 21100}, "ftp_passive_min_port"),
    ({"inception_static_site_enabled": True, "inception_static_site_path": "/wp-admin/"},
     "inception_static_site_path"),
    ({"inception_adminer_enabled": True, "inception_adminer_path": "adminer"}, "inception_adminer_path"),
    ({"inception_backup_cron_enabled": True, "backup_cron_schedule": "every day"}, "backup_cron_schedule"),
    # The container profile: one override per service, of a setting it has, of the right type.
    ({"inception_service_overrides": {"nginx": {"memory": "1g"}}}, "inception_service_overrides names the service nginx"),
    ({"inception_service_overrides": {"mariadb": {"memroy": "1g"}}}, "the setting memroy"),
    ({"inception_service_overrides": {"mariadb": {"stop_timeout": "soon"}}}, "inception_service_overrides.mariadb"),
    ({"inception_service_overrides": {"wordpress": {"restart_policy": "never"}}}, "inception_service_overrides.wordpress"),
])
def test_bad_input_is_refused_naming_the_variable(tmp_path, overrides, variable):
    if overrides.get("inception_data_dir") == "A_FILE":
        (tmp_path / "data").write_text("a file\n")
        overrides = {**overrides, "inception_data_dir": str(tmp_path / "data")}
    result = preflight(tmp_path, **overrides)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert variable in output
    for name, value in overrides.items():
        if name.endswith("_password") and len(str(value)) > 5:
            assert str(value) not in output, f"the value of {name} was printed"
    # The validation play failed: the deployment play never started.
    assert "Deploy the Inception stack" not in output


def test_a_list_of_no_service_passes_the_preflight(tmp_path):
    # No plan: the volumes' check has nothing to look at, and says nothing.
    result = preflight(tmp_path, inception_services=[])
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_wrong_input_of_a_service_is_named_in_one_run(tmp_path):
    result = preflight(tmp_path, wordpress_admin_user="SiteAdmin", wordpress_user_email="not-an-address",
                       wordpress_user_password="admin-Secret-0003")
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output
    assert "wordpress_admin_user is 'SiteAdmin'" in output
    assert "wordpress_user_email is 'not-an-address'" in output
    assert "wordpress_user_password must be at least 12 characters" in output
    assert "admin-Secret-0003" not in output
    assert "Deploy the Inception stack" not in output


def fleet_inventory(tmp_path, **builder_vars):
    """This host as the fleet's builder (inventory group inception_fleet_builder)."""
    inventory = tmp_path / "fleet.yml"
    inventory.write_text(json.dumps({"all": {"children": {
        "inception": {"hosts": {"localhost": {"ansible_connection": "local", **builder_vars}}},
        "inception_fleet_builder": {"hosts": {"localhost": {}}}}}}))
    return inventory


def test_a_fleet_without_its_password_or_the_builders_address_is_refused(tmp_path):
    extra = private_json(tmp_path / "vars.json", GOOD)
    result = run_playbook("site.yml", fleet_inventory(tmp_path), "--tags", "preflight", "-e", f"@{extra}",
                          "-e", "ansible_python_interpreter=" + sys.executable)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output
    # Named, with the fix: the vault's password, the address the others reach the builder at.
    assert "registry_password on every host" in output and "vault_registry_password" in output
    assert "inception_fleet_registry_address" in output and "'localhost'" in output
    assert "Deploy the Inception stack" not in output
    # Given both, the fleet's builder passes (its registry's password file is made, never shown).
    extra = private_json(tmp_path / "vars.json", {**GOOD, "registry_password": "fleet-Secret-000007"})
    result = run_playbook("site.yml", fleet_inventory(tmp_path, ansible_host="127.0.0.1"), "--tags", "preflight",
                          "-e", f"@{extra}", "-e", "ansible_python_interpreter=" + sys.executable)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fleet-Secret-000007" not in result.stdout + result.stderr
    assert "$2b$" not in result.stdout + result.stderr


def vault_inventory(tmp_path, vault_text):
    group_vars = tmp_path / "inventory" / "group_vars" / "all"
    group_vars.mkdir(parents=True)
    (tmp_path / "inventory" / "hosts.yml").write_text((ROOT / "tests" / "inventory.yml").read_text())
    (group_vars / "main.yml").write_text((ROOT / "inventory" / "group_vars" / "all" / "main.yml").read_text())
    if vault_text is not None:
        (group_vars / "vault.yml").write_text(vault_text)
    return tmp_path / "inventory"


def run_with_inventory(inventory, password_file):
    return run_playbook("site.yml", inventory, "--tags", "preflight",
                        "-e", "ansible_python_interpreter=" + sys.executable, password_file=password_file)


PLAIN_VAULT = "\n".join(f"vault_{k}: {v}" for k, v in {
    "inception_login": "jdoe", "inception_domain": "jdoe.42.fr", **{
        k: v for k, v in GOOD.items() if k.endswith("_password")}}.items()) + "\n"


def test_a_missing_vault_is_refused(tmp_path):
    result = run_with_inventory(vault_inventory(tmp_path, None), ROOT / ".cache" / "vault-stand-in")
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    # Each missing secret by name, and the fix for make and for ansible-playbook users.
    assert ("No vault found: inception_login, inception_domain, mariadb_root_password, wordpress_db_password, "
            "wordpress_admin_password, wordpress_user_password are not set") in output
    assert "`make` creates inventory/group_vars/all/vault.yml" in output and "`ansible-vault create`" in output
    assert "is undefined" not in output


def test_an_inventory_of_your_own_without_the_vault_names_what_is_missing(tmp_path):
    # A user's inventory kept apart from inventory/: its group_vars lack the vault.
    inventory = tmp_path / "hosts.yml"
    inventory.write_text((ROOT / "tests" / "inventory.yml").read_text())
    extra = private_json(tmp_path / "vars.json", {"inception_login": "jdoe", "wordpress_db_password": "db-Secret-0002"})
    result = run_playbook("site.yml", inventory, "--tags", "preflight", "-e", f"@{extra}",
                          "-e", "ansible_python_interpreter=" + sys.executable)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output
    assert ("mariadb_root_password, wordpress_admin_password, wordpress_user_password are not set") in output
    assert "missing required arguments" not in output and "Deploy the Inception stack" not in output


@pytest.mark.parametrize("groups", [{"webservers": {"hosts": {"localhost": {"ansible_connection": "local"}}}}, {}])
def test_an_inventory_without_the_group_inception_is_refused_naming_it(tmp_path, groups):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"localhost": {"ansible_connection": "local"}},
                                             "children": groups}}))
    extra = private_json(tmp_path / "vars.json", GOOD)
    result = run_playbook("site.yml", inventory, "-e", f"@{extra}", "-e", "ansible_python_interpreter=" + sys.executable)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output
    assert "The inventory has no host in the group `inception`" in output
    assert ("it has webservers" if groups else "it has no group") in output
    assert "Prepare the host" not in output


def test_a_vault_in_clear_text_is_refused(tmp_path):
    result = run_with_inventory(vault_inventory(tmp_path, PLAIN_VAULT), ROOT / ".cache" / "vault-stand-in")
    assert result.returncode != 0
    assert "vault.yml is not encrypted" in result.stdout + result.stderr
    assert GOOD["wordpress_admin_password"] not in result.stdout + result.stderr


def test_a_vault_that_cannot_be_decrypted_is_refused(tmp_path):
    (tmp_path / "other-pass").write_text("another-password\n")
    encrypted = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-vault"), "encrypt",
         "--vault-password-file", str(tmp_path / "other-pass"), "--encrypt-vault-id", "default",
         "--output", "-", "-"], input=PLAIN_VAULT, capture_output=True, text=True, check=True).stdout
    inventory = vault_inventory(tmp_path, encrypted)
    result = run_with_inventory(inventory, ROOT / ".cache" / "vault-stand-in")
    assert result.returncode != 0
    assert "Decryption failed" in result.stdout + result.stderr
    # `make` names the file and the fix before Ansible starts.
    vault = inventory / "group_vars" / "all" / "vault.yml"
    made = subprocess.run(["make", "--no-print-directory", "check-vault", f"VAULT={vault}",
                           f"VAULT_PASS={ROOT / '.cache' / 'vault-stand-in'}"],
                          cwd=ROOT, check=False, capture_output=True, text=True)
    assert made.returncode != 0
    assert f"{vault} cannot be decrypted" in made.stderr


def encrypt(text, password_file):
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-vault"), "encrypt",
         "--vault-password-file", str(password_file), "--encrypt-vault-id", "default",
         "--output", "-", "-"], input=text, capture_output=True, text=True, check=True).stdout


def test_a_vault_older_than_the_bonus_services_still_deploys_the_mandatory_stack(tmp_path):
    # PLAIN_VAULT has no vault_redis_password nor vault_ftp_password, like a
    # vault made before the bonus services existed.
    password_file = ROOT / ".cache" / "vault-stand-in"
    inventory = vault_inventory(tmp_path, encrypt(PLAIN_VAULT, password_file))
    result = run_with_inventory(inventory, password_file)
    assert result.returncode == 0, result.stdout + result.stderr
    # Turning the bonus services on names the missing secret and the fix.
    result = run_playbook("site.yml", inventory, "--tags", "preflight", "-e", "inception_bonus=true",
                          "-e", "ansible_python_interpreter=" + sys.executable, password_file=password_file)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Add vault_redis_password with `make vault`" in output
    assert "is undefined" not in output


def test_make_refuses_a_vault_in_clear_text(tmp_path):
    vault = vault_inventory(tmp_path, PLAIN_VAULT) / "group_vars" / "all" / "vault.yml"
    made = subprocess.run(["make", "--no-print-directory", "check-vault", f"VAULT={vault}"],
                          cwd=ROOT, check=False, capture_output=True, text=True)
    assert made.returncode != 0
    assert f"{vault} is not encrypted" in made.stderr


def test_every_bonus_service_passes_with_good_input(tmp_path):
    result = preflight(tmp_path, inception_bonus=True, redis_password="redis-Secret-0005-long",
                       ftp_password="ftp-Secret-0006")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_release_docker_host_does_not_prepare_is_refused_naming_both(tmp_path):
    # This machine's own /etc/os-release, read by host_facts, against a list without its release.
    release = dict(line.split("=", 1) for line in open("/etc/os-release").read().splitlines() if "=" in line)
    codename, name = release["VERSION_CODENAME"], release["PRETTY_NAME"].strip('"')
    others = {"forky": "Debian 14 (forky)", "bookworm": "Debian 12 (bookworm)", "trixie": "Debian 13 (trixie)"}
    others.pop(codename, None)
    result = preflight(tmp_path, docker_host_supported_releases=others)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output
    assert f"This host runs {name} (debian {codename})" in output
    assert "docker_host prepares " + " and ".join(others.values()) + " only" in output
    assert "Deploy the Inception stack" not in output


def test_a_puller_run_alone_names_its_images_after_its_builders_package_state(tmp_path, monkeypatch):
    """`--limit <puller>`: the package state `make upgrade` recorded on the
    fleet's builder is read there, so the puller names (and pulls) the
    builder's upgraded images, not the tags from before the upgrade."""
    dirs = {name: tmp_path / name for name in ("builder", "puller")}
    for path in dirs.values():
        path.mkdir()
    (dirs["builder"] / "package-state.json").write_text('{"mariadb": "0e809e35"}')
    inventory = tmp_path / "fleet.yml"
    inventory.write_text(json.dumps({"all": {"children": {
        "inception": {"hosts": {
            "builder": {"ansible_connection": "local", "ansible_host": "127.0.0.1",
                        "inception_project_dir": str(dirs["builder"])},
            "puller": {"ansible_connection": "local", "inception_project_dir": str(dirs["puller"])}}},
        "inception_fleet_builder": {"hosts": {"builder": {}}}}}}))
    extra = private_json(tmp_path / "vars.json", {**GOOD, "registry_password": "fleet-Secret-000007",
                                                  "ansible_python_interpreter": sys.executable})
    monkeypatch.setenv("ANSIBLE_STDOUT_CALLBACK", "ansible.builtin.json")

    def mariadb_images(*limit):
        result = run_playbook("site.yml", inventory, "--tags", "preflight", "-e", f"@{extra}", *limit)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        # After the line profile_tasks (ansible.cfg) prints first.
        report = json.JSONDecoder().raw_decode(result.stdout[result.stdout.index("{"):])[0]
        return {host: outcome["image"] for play in report["plays"] for task in play["tasks"]
                if task["task"]["name"].endswith(" : Check the inputs, render the build context and name the image of mariadb")
                for host, outcome in task["hosts"].items()}

    both = mariadb_images()
    assert both["builder"].endswith("-0e809e35") and both["puller"] == both["builder"], both
    assert mariadb_images("--limit", "puller") == {"puller": both["builder"]}
