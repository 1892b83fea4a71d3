"""The service_plan action plugin (plugins/action/service_plan.py): a
service's inputs checked (its container's settings against the profile's
spec, the one in roles/service/meta/argument_specs.yml; its checks), every
problem named at once, and its entry of the plan. tests/test_preflight.py
runs it for real, through the preflight, on every bad input."""
import copy

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.fortytwo.inception.plugins.action import service_plan
from ansible_collections.fortytwo.inception.plugins.modules.service_plan import ARGUMENT_SPEC
from conftest import SERVICE_ROLES, resolve, run_module

PROFILE = {"restart_policy": "unless-stopped", "stop_timeout": 10, "healthy_timeout": 60, "capabilities": [],
           "memory": "128m", "cpu_shares": 512, "pids_limit": 64, "blkio_weight": 500,
           "blkio_limits": {"read_bps": "200m", "write_bps": "100m", "read_iops": 4000, "write_iops": 2000}}
SERVICE = {"name": "mariadb", "container": "jdoe_mariadb", "secrets": ["mariadb_root_password"],
           "volumes": [{"name": "jdoe_mariadb", "path": "/d/mariadb", "owner": 999, "mode": "0750"}],
           "directories": [{"path": "/d/run", "mode": "0700"}], "summary": ["Database: wordpress"],
           "checks": [{"ok": True, "msg": "never shown"}]}
CONTEXT = {"image": "mariadb:0123456789ab", "content_tag": "0123456789ab",
           "files": [{"dest": "Dockerfile", "mode": "0644", "content": "FROM debian:bookworm\n"}]}


def test_good_inputs_give_no_error():
    assert service_plan.input_errors("mariadb", SERVICE, PROFILE) == []


def test_every_problem_is_named_at_once_the_settings_by_where_they_come_from():
    service = dict(SERVICE, checks=[{"ok": False, "msg": "wordpress_db_name may only hold letters."},
                                    {"ok": True, "msg": "fine"},
                                    {"ok": False, "msg": "mariadb_root_password is too short."}])
    errors = service_plan.input_errors("mariadb", service, dict(PROFILE, stop_timeout="soon", restart_policy="never"))
    assert len(errors) == 4, errors
    assert sum("inception_service_overrides.mariadb" in error for error in errors) == 2
    assert any("stop_timeout" in error for error in errors) and any("restart_policy" in error for error in errors)
    assert errors[2:] == ["wordpress_db_name may only hold letters.", "mariadb_root_password is too short."]


@pytest.mark.parametrize("ok", ["True", "yes", 1, None, "{{ broken }}"])
def test_a_check_that_is_not_true_refuses_it_never_passes(ok):
    service = dict(SERVICE, checks=[{"ok": ok, "msg": "the check of wordpress_admin_user failed"}])
    assert service_plan.input_errors("mariadb", service, PROFILE) == ["the check of wordpress_admin_user failed"]


def test_a_setting_the_profile_lacks_or_a_missing_one_is_refused():
    errors = service_plan.input_errors("wordpress", SERVICE, dict(PROFILE, memroy="1g"))
    assert len(errors) == 1 and "memroy" in errors[0] and "inception_service_overrides.wordpress" in errors[0]
    without = {key: value for key, value in PROFILE.items() if key != "memory"}
    errors = service_plan.input_errors("wordpress", SERVICE, without)
    assert len(errors) == 1 and "memory" in errors[0]


@pytest.mark.parametrize("change, named", [
    ({"container": None}, "container"),                       # a key it needs
    ({"volumez": []}, "volumez"),                             # a key it does not know
    ({"build_files": [{"src": "Dockerfile.j2"}]}, "dest"),    # an entry without its fields
    ({"checks": [{"ok": True}]}, "msg"),                      # a check without its message
])
def test_a_description_that_is_not_what_the_plugin_takes_is_refused_naming_the_key(change, named):
    service = {key: value for key, value in {**SERVICE, "build_files": [], **change}.items() if value is not None}
    result = ArgumentSpecValidator({"service": ARGUMENT_SPEC["service"]}).validate({"service": service})
    assert result.error_messages and any(named in error for error in result.error_messages), result.error_messages


def test_the_spec_read_is_the_service_roles_own():
    assert set(service_plan.profile_spec()) == set(PROFILE) | {"first_start_timeout"}


def test_the_plan_entry_holds_what_the_site_playbook_reads():
    entry = service_plan.plan_entry(SERVICE, PROFILE, CONTEXT)
    assert entry == {
        "name": "mariadb", "container": "jdoe_mariadb", "image": "mariadb:0123456789ab", "profile": PROFILE,
        "context": {"image": "mariadb:0123456789ab", "files": CONTEXT["files"]}, "content_tag": "0123456789ab",
        "secrets": ["mariadb_root_password"], "secret_owners": {},
        # The volumes' data directories are made with the service's own.
        "directories": SERVICE["directories"] + SERVICE["volumes"],
        "volumes": SERVICE["volumes"], "summary": ["Database: wordpress"], "host_files": None,
        # The description as checked, which the site playbook's deploy hands to the service role.
        "service": SERVICE}


def test_host_files_are_rendered_as_the_build_context_is_and_join_the_plan_not_the_tag(tmp_path):
    (tmp_path / "Dockerfile.j2").write_text("FROM {{ inception_base_image }}\n")
    (tmp_path / "site.conf.j2").write_text("server_name {{ inception_domain }};\n")
    service = {"name": "nginx", "container": "jdoe_nginx",
               "build_files": [{"src": "Dockerfile.j2", "dest": "Dockerfile", "mode": "0644"}],
               "host_files": {"directory": "/opt/inception/nginx", "absent": ["servers/registry.conf"],
                              "files": [{"src": "site.conf.j2", "dest": "site.conf", "mode": "0644"}]},
               "certificates": [{"key_path": "/opt/inception/tls/jdoe.42.fr.key", "days": "90",
                                 "cert_path": "/opt/inception/tls/jdoe.42.fr.crt", "names": ["jdoe.42.fr"]}]}
    args = {"role": "nginx_tls", "profile": PROFILE, "templates": str(tmp_path), "base_image": "debian:bookworm"}
    values = ("-e", "inception_domain=jdoe.42.fr", "-e", "inception_base_image=debian:bookworm")
    planned = run_module("fortytwo.inception.service_plan", {**args, "service": service}, *values)
    assert planned["entry"]["host_files"] == {
        "directory": "/opt/inception/nginx", "absent": ["servers/registry.conf"],
        "files": [{"dest": "site.conf", "mode": "0644", "content": "server_name jdoe.42.fr;\n"}]}
    assert planned["entry"]["context"]["files"] == [{"dest": "Dockerfile", "mode": "0644",
                                                     "content": "FROM debian:bookworm\n"}]
    # Its certificates join the plan in its description, as checked (days an integer), for the stack's step.
    assert planned["entry"]["service"]["certificates"] == [
        {"key_path": "/opt/inception/tls/jdoe.42.fr.key", "days": 90, "cert_path": "/opt/inception/tls/jdoe.42.fr.crt",
         "names": ["jdoe.42.fr"]}]
    # They are the host's, not the image's: the same image on every host of a fleet.
    alone = run_module("fortytwo.inception.service_plan",
                       {**args, "service": {k: v for k, v in service.items() if k != "host_files"}}, *values)
    assert alone["image"] == planned["image"] and alone["entry"]["host_files"] is None


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_each_role_with_good_inputs_passes_its_own_checks(role):
    service = resolve(role, "{{ %s_service }}" % role, inception_bonus=True)
    profile = resolve(role, "{{ inception_container_profile | combine(%s_service.profile | default({})) }}" % role)
    assert service_plan.input_errors(role, service, profile) == []


def test_the_template_lookup_copies_the_variables_shallowly_and_renders_the_same():
    # Its per-file deepcopy of every variable was most of the task's time.
    task_vars = {"inception_domain": "jdoe.42.fr", "nested": {"list": [1, 2]}}
    copied = copy.deepcopy(service_plan.TemplateVars(task_vars))
    assert not isinstance(copied, service_plan.TemplateVars) and copied == task_vars and copied["nested"] is task_vars["nested"]
    copied["template_path"] = "added at the top"
    assert "template_path" not in task_vars
