"""Argument specs are the roles' API: every default is documented there."""
import pytest
import yaml

from ansible_collections.fortytwo.inception.plugins.modules.service_plan import ARGUMENT_SPEC as SERVICE_PLAN_SPEC
from conftest import ROLES, SERVICE_ROLES

ROLE_NAMES = ("common", "service", "docker_host", "backup") + SERVICE_ROLES


def spec(role):
    return yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]


def defaults_of(role):
    """A role's defaults (a role with no variables of its own has no file)."""
    path = ROLES / role / "defaults" / "main.yml"
    return (yaml.safe_load(path.read_text()) if path.exists() else None) or {}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_default_is_in_the_argument_specs(role):
    defaults = defaults_of(role)
    options = spec(role)["main"]["options"]
    assert set(defaults) - set(options) == set()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_option_is_described_and_typed(role):
    for name, option in spec(role)["main"]["options"].items():
        assert option.get("description"), f"{role}: {name} has no description"
        assert option.get("type"), f"{role}: {name} has no type"


@pytest.mark.parametrize("role", ("service", "docker_host", "backup") + SERVICE_ROLES)
def test_shared_values_are_defined_once_in_the_common_role(role):
    shared = set(spec("common")["main"]["options"]) | (set(spec("service")["main"]["options"]) if role != "service" else set())
    defaults = set(defaults_of(role))
    assert defaults & shared == set(), f"{role} redefines {sorted(defaults & shared)}"
    assert set(spec(role)["main"]["options"]) & shared == set(), f"{role} documents shared values again"
    # The lifecycle and the host read the shared values from the common role;
    # a service role reaches them through the lifecycle it hands its service to.
    dependencies = yaml.safe_load((ROLES / role / "meta" / "main.yml").read_text())["dependencies"]
    wanted = "fortytwo.inception.service" if role in SERVICE_ROLES else "fortytwo.inception.common"
    assert dependencies == [{"role": wanted}], role


def test_no_role_includes_the_tasks_of_the_host_role():
    for path in ROLES.glob("*/tasks/*.yml"):
        if path.parts[-3] != "docker_host":
            assert "fortytwo.inception.docker_host" not in path.read_text(), path


def test_host_preflight_entry_point_validates_the_same_options():
    specs = spec("docker_host")
    assert specs["validate"] == specs["main"]


def test_a_services_description_is_checked_once_by_service_plan_where_a_run_starts():
    # The service role's own spec is its values (the profile...); a service's
    # description is declared and checked by service_plan alone, which the
    # preflight's validate step runs before deploy and upgrade, in the same run.
    assert set(spec("service")) == {"main"}
    assert "service" not in spec("service")["main"]["options"]
    option = SERVICE_PLAN_SPEC["service"]
    assert (option["type"], option["required"]) == ("dict", True) and {"name", "container"} <= set(option["options"])
    validate = (ROLES / "service" / "tasks" / "validate.yml").read_text()
    assert "fortytwo.inception.service_plan:" in validate and "service: \"{{ service }}\"" in validate


@pytest.mark.parametrize("role", ("mariadb", "wordpress"))
def test_secrets_are_required_and_hidden(role):
    options = spec(role)["main"]["options"]
    # Bonus secrets are required only when their service is on (checked by its role).
    secrets = [name for name in options if name.endswith("_password") and name != "redis_password"]
    assert secrets
    for name in secrets:
        assert options[name]["required"] is True
        assert options[name]["no_log"] is True


def test_restore_is_validated_like_the_backup():
    specs = spec("backup")
    assert specs["restore"] == specs["validate_restore"] == specs["main"]


@pytest.mark.parametrize("role", ("redis", "ftp", "backup_cron"))
def test_bonus_secrets_are_hidden(role):
    options = spec(role)["main"]["options"]
    secrets = [name for name in options if name.endswith("_password")]
    assert secrets
    for name in secrets:
        assert options[name]["no_log"] is True
