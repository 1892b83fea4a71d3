"""The container digest: what lets a rerun leave a container alone.

Each service role labels its container with <role>_container_digest, its
tasks/container.yml rendered with this run's values; a rerun skips the
docker_container task when the running container has the same label. So the
digest must change with every setting the container gets, and must not change
with what is not a setting (the wait timeout, the restart trigger).
"""
import pytest
from ansible.plugins.loader import init_plugin_loader

from conftest import ROLES, resolve

init_plugin_loader()

RESTART_TRIGGER = {"mariadb": "mariadb_secret_files", "wordpress": "wordpress_secret_files",
                   "nginx_tls": "nginx_tls_certificate", "redis": "redis_secret_files",
                   "ftp": "ftp_secret_files", "backup_cron": "backup_cron_secret_files"}
ROLES_WITH_CONTAINERS = ["mariadb", "wordpress", "nginx_tls", "redis", "ftp", "static_site", "adminer",
                         "backup_cron"]


def digest(role, **overrides):
    values = {"role_path": str(ROLES / role), f"{role}_image_tag": "0123456789ab",
              "docker_host_blkio_weight_supported": True, **overrides}
    return resolve(role, "{{ %s_container_digest }}" % role, **values)


@pytest.mark.parametrize("role", ROLES_WITH_CONTAINERS)
def test_the_digest_is_stable(role):
    assert digest(role) == digest(role)
    assert len(digest(role)) == 16


@pytest.mark.parametrize("role", ROLES_WITH_CONTAINERS)
@pytest.mark.parametrize("setting,value", [
    ("image_tag", "ba9876543210"),
    ("restart_policy", "always"),
    ("stop_timeout", 3),
])
def test_every_setting_changes_the_digest(role, setting, value):
    assert digest(role, **{f"{role}_{setting}": value}) != digest(role)


@pytest.mark.parametrize("role", ROLES_WITH_CONTAINERS)
def test_shared_settings_change_the_digest(role):
    assert digest(role, inception_network="other") != digest(role)
    assert digest(role, docker_host_blkio_weight_supported=False) != digest(role) or \
        "blkio_weight" not in (ROLES / role / "tasks" / "container.yml").read_text()


@pytest.mark.parametrize("role", ROLES_WITH_CONTAINERS)
def test_the_wait_timeout_and_the_restart_trigger_are_not_settings(role):
    assert digest(role, **{f"{role}_healthy_timeout": 999}) == digest(role)
    if role in RESTART_TRIGGER:
        assert digest(role, **{RESTART_TRIGGER[role]: {"changed": True}}) == digest(role)


@pytest.mark.parametrize("role", ROLES_WITH_CONTAINERS)
def test_the_container_task_carries_the_digest_and_is_skipped_on_it(role):
    text = (ROLES / role / "tasks" / "container.yml").read_text()
    assert f'fortytwo.inception.config: "{{{{ {role}_container_digest }}}}"' in text
    assert f"{role}_container_listed.Labels['fortytwo.inception.config'] | default('') != {role}_container_digest" \
        in text
