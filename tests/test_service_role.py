"""The shared service role and the descriptions the service roles hand it.

Every role of playbooks/vars/services.yml is one folder: templates, defaults,
argument specs, a description of its service (vars/main.yml,
<role>_service) and a tasks/main.yml that hands it to the service role (a
role whose checks ask the host imports its tasks/validate.yml first, for the
preflight's step). These checks run in seconds; molecule's test_new_service.py adds a
throwaway service for real.
"""
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.fortytwo.inception.plugins.modules.service_plan import ARGUMENT_SPEC as PLAN_SPEC
from conftest import ROLES, ROOT, SERVICE_ROLES, resolve

SERVICE_SPEC = yaml.safe_load((ROLES / "service" / "meta" / "argument_specs.yml").read_text())["argument_specs"]


def description(role, **overrides):
    return resolve(role, "{{ %s_service }}" % role, **overrides)


def test_the_list_names_each_role_once():
    assert len(set(SERVICE_ROLES)) == len(SERVICE_ROLES)
    # The registry is up before nginx, which routes its name to it.
    assert SERVICE_ROLES[:5] == ("mariadb", "redis", "wordpress", "registry", "nginx_tls")


@pytest.mark.parametrize("role", SERVICE_ROLES)
@pytest.mark.parametrize("bonus", [False, True])
def test_each_description_is_what_the_service_role_takes(role, bonus):
    # As the preflight checks it: service_plan's spec of a description.
    result = ArgumentSpecValidator({"service": PLAN_SPEC["service"]}).validate(
        {"service": description(role, inception_bonus=bonus)})
    assert not result.error_messages, result.error_messages


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_each_role_is_a_folder_handing_its_description_over(role):
    main = yaml.safe_load((ROLES / role / "tasks" / "main.yml").read_text())
    handover = main[-1]
    assert handover["ansible.builtin.include_role"]["name"] == "fortytwo.inception.service"
    assert handover["vars"] == {"service": "{{ %s_service }}" % role}
    # Before it, only its checks that ask the host, for the preflight's step.
    assert [(task["ansible.builtin.import_tasks"], task["when"]) for task in main[:-1]] == (
        [("validate.yml", "inception_step | default('deploy') == 'validate'")]
        if (ROLES / role / "tasks" / "validate.yml").exists() else [])
    # Every template is in the build context, and every file of it is a
    # template; but the files that name a host, mounted (nginx_tls: the image
    # is the same on every host of a fleet).
    service = description(role)
    sources = {f["src"] for f in service["build_files"]}
    host_files = {"nginx_tls": {"site.conf.j2", "registry.conf.j2"}}.get(role, set())
    assert sources | host_files == {p.name for p in (ROLES / role / "templates").glob("*.j2")}
    assert not sources & host_files
    assert "Dockerfile" in {f["dest"] for f in service["build_files"]}


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_every_service_has_limits_a_healthcheck_and_a_restart_policy(role):
    profile = resolve(role, "{{ inception_container_profile | combine(%s_service.profile | default({})) }}" % role)
    for key in ("memory", "cpu_shares", "pids_limit", "restart_policy", "stop_timeout", "healthy_timeout"):
        assert profile[key], f"{role}: no {key}"
    assert profile["restart_policy"] in ("always", "unless-stopped", "on-failure")
    # A role's profile gives only what the collection's profile has.
    profile_spec = SERVICE_SPEC["main"]["options"]["inception_container_profile"]["options"]
    assert set(description(role).get("profile", {})) <= set(profile_spec), role


def test_the_container_profile_is_declared_once():
    # No role carries its own variable for a setting of its container any
    # more, its name included: the name is the description's.
    for role in SERVICE_ROLES:
        defaults = ROLES / role / "defaults" / "main.yml"
        names = (defaults.read_text() if defaults.exists() else "") + (
            ROLES / role / "meta" / "argument_specs.yml").read_text()
        for setting in ("container_name", "restart_policy", "stop_timeout", "healthy_timeout", "capabilities",
                        "memory", "cpu_shares", "pids_limit", "blkio"):
            assert not re.search(rf"^ *{role}_{setting}:", names, re.M), (role, setting)


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_a_container_is_named_after_its_service_with_the_stack_prefix(role):
    service = description(role, inception_name_prefix="t42_")
    assert service["container"].startswith("t42_"), role
    assert service["container"] == "t42_" + {"nginx_tls": "nginx"}.get(role, role)
    assert description(role)["container"] == {"nginx_tls": "nginx"}.get(role, role)


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_no_secret_is_an_environment_value(role):
    service = description(role, inception_bonus=True)
    values = [str(v) for v in (service.get("env") or {}).values()]
    for name in service.get("secrets", []):
        assert resolve(role, "{{ %s }}" % name) not in values
    for key, value in (service.get("env") or {}).items():
        if "PASSWORD" in key:
            assert value.startswith("/run/secrets/"), key


def test_only_nginx_publishes_a_port_in_the_mandatory_stack():
    publishing = [role for role in SERVICE_ROLES if description(role).get("published_ports")]
    assert publishing == ["nginx_tls", "ftp"]
    assert description("nginx_tls")["published_ports"] == ["0.0.0.0:443:443"]


def test_the_bonus_switches_follow_inception_bonus():
    for role in SERVICE_ROLES:
        switch = resolve(role, "{{ lookup('ansible.builtin.vars', 'inception_%s_enabled', default=true) }}" % role)
        bonus_on = resolve(role, "{{ lookup('ansible.builtin.vars', 'inception_%s_enabled', default=true) }}" % role,
                           inception_bonus=True)
        mandatory = role in ("mariadb", "wordpress", "nginx_tls")
        # The registry follows the fleet mode (on where this host is the fleet's builder), not the bonus switch.
        expected = ("True", "True") if mandatory else ("False", "False") if role == "registry" else ("False", "True")
        assert (str(switch), str(bonus_on)) == expected, role


def test_the_site_playbook_reads_the_list_and_knows_no_service_by_name():
    for playbook in ("site.yml", "down.yml", "status.yml"):
        text = (ROOT / "playbooks" / playbook).read_text()
        assert "vars/services.yml" in text
        for role in SERVICE_ROLES:
            assert f"fortytwo.inception.{role}" not in text, f"{playbook} names {role}"


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_each_check_of_a_description_is_a_condition_true_for_good_inputs(role):
    checks = description(role, inception_bonus=True)["checks"]
    assert all(check["ok"] is True for check in checks), [c["msg"] for c in checks if c["ok"] is not True]
    assert all(check["msg"] for check in checks)
    # A secret's value is never part of a message.
    for check in checks:
        assert "Secret-000" not in check["msg"], check["msg"]


@pytest.mark.parametrize("role,overrides,named", [
    ("mariadb", {"wordpress_db_password": "root-Secret-0001"}, ["mariadb_root_password", "wordpress_db_password"]),
    ("mariadb", {"wordpress_db_user": "JDOE"}, []),
    ("mariadb", {"mariadb_root_password": "jdoe"}, ["mariadb_root_password"]),
    ("wordpress", {"wordpress_admin_user": "Boss_Admin", "wordpress_user_email": "not-an-address"},
     ["wordpress_admin_user", "wordpress_user_email"]),
    ("wordpress", {"wordpress_user_password": "JDOE"}, ["wordpress_user_password"]),
    ("nginx_tls", {"nginx_tls_protocols": ["TLSv1.1"], "inception_https_port": 0},
     ["nginx_tls_protocols", "inception_https_port"]),
    ("ftp", {"ftp_password": "with:colon-0006"}, ["ftp_password"]),
    ("redis", {"redis_password": "short"}, ["redis_password"]),
])
def test_the_checks_that_fail_are_those_of_the_wrong_inputs(role, overrides, named):
    checks = description(role, inception_bonus=True, **overrides)["checks"]
    failed = [check["msg"] for check in checks if check["ok"] is not True]
    if not named:
        # The database user may hold capitals: only a secret may not equal it, in any case.
        assert not failed, failed
    for variable in named:
        assert any(msg.startswith(variable) or f" {variable} " in msg for msg in failed), (variable, failed)
    assert len(failed) == len(named), failed


def test_nginx_keeps_one_certificate_for_the_domain_and_the_registry_where_it_runs():
    domain = resolve("nginx_tls", "{{ inception_domain }}")
    for registry, names in ((False, [domain]), (True, [domain, "registry." + domain])):
        [certificate] = description("nginx_tls", inception_registry_enabled=registry)["certificates"]
        assert certificate["names"] == names and certificate["days"] == 365
        assert certificate["key_path"].endswith("/tls/%s.key" % domain)
        assert certificate["cert_path"] == certificate["key_path"][:-len("key")] + "crt"
