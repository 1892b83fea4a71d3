"""A service's container (plugins/plugin_utils/containers.py) and the
service_container action plugin that runs it (plugins/action/service_container.py):
the arguments each real service description gives docker_volume and
docker_container (checked against the options the installed modules
document), the order of the calls, what a first start, the kernel and the
engine change, and what a failure says. The modules are stood in for here;
the molecule scenarios run the real ones."""
import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.fortytwo.inception.plugins.action.service_container import ActionModule
from ansible_collections.fortytwo.inception.plugins.plugin_utils import containers
from conftest import SERVICE_ROLES, resolve
from test_service_image_plugin import assert_documented, stand_in

PROFILE = {"restart_policy": "unless-stopped", "stop_timeout": 30, "healthy_timeout": 120,
           "first_start_timeout": 600, "capabilities": ["CHOWN"], "memory": "384m", "cpu_shares": 1024,
           "pids_limit": 256, "blkio_weight": 800,
           "blkio_limits": {"read_bps": "200m", "write_bps": "100m", "read_iops": 4000, "write_iops": 0}}
SERVICE = {"name": "mariadb", "container": "jdoe_mariadb", "secrets": ["mariadb_root_password"],
           "volumes": [{"name": "jdoe_mariadb", "path": "/home/jdoe/data/mariadb", "initialized": "mysql"}],
           "mounts": [{"type": "volume", "source": "jdoe_mariadb", "target": "/var/lib/mysql"}],
           "env": {"MARIADB_ROOT_PASSWORD_FILE": "/run/secrets/mariadb_root_password"}}


class Run:
    """One run of the plugin against stand-in modules answering `answers`
    (module name -> result)."""

    def __init__(self, answers=None, **args):
        self.calls, self.answers = [], dict(answers or {})
        self.plugin = stand_in(ActionModule, "fortytwo.inception.service_container", {
            "service": SERVICE, "image": "mariadb:0123456789ab", "profile": PROFILE, "network": "jdoe_inception",
            "secrets_dir": "/opt/inception/secrets", "engine_version": "26.1.5", **args}, self.module)
        # Where async jobs write, as the connection's shell says (async_status's own action plugin asks the same).
        self.plugin.get_shell_option = lambda option, default=None: default
        self.plugin._remote_expand_user = lambda path: path.replace("~", "/root")

    def module(self, module_name=None, module_args=None, task_vars=None, wrap_async=False):
        assert_documented(module_name, module_args)
        self.calls.append((module_name.split(".")[-1], module_args))
        answer = self.answers.get(module_name.split(".")[-1], {})
        return dict(answer.pop(0) if isinstance(answer, list) else answer)

    def __call__(self):
        return self.plugin.run(task_vars={})

    def args(self, module):
        return [args for name, args in self.calls if name == module]

    def plugin_args(self):
        """The container's arguments of a plain run."""
        self()
        return self.args("docker_container")[0]


def test_the_volumes_then_the_container_started_healthy_with_least_privilege():
    run = Run()
    result = run()
    assert [name for name, _args in run.calls] == ["docker_volume", "docker_container"]
    assert run.args("docker_volume") == [{"volume_name": "jdoe_mariadb", "driver": "local", "driver_options": {
        "type": "none", "o": "bind", "device": "/home/jdoe/data/mariadb"}}]
    args = run.args("docker_container")[0]
    assert (args["name"], args["image"], args["state"]) == ("jdoe_mariadb", "mariadb:0123456789ab", "healthy")
    assert (args["cap_drop"], args["capabilities"], args["security_opts"], args["read_only"]) == (
        ["ALL"], ["CHOWN"], ["no-new-privileges=true"], True)
    assert (args["memory"], args["cpu_shares"], args["pids_limit"], args["restart_policy"], args["stop_timeout"]) == (
        "384m", 1024, 256, "unless-stopped", 30)
    # One network, the stack's, and no other; the service's name on it.
    assert args["network_mode"] == "jdoe_inception"
    assert args["networks"] == [{"name": "jdoe_inception", "aliases": ["mariadb"]}]
    assert args["comparisons"] == {"networks": "strict"}
    # Its volume, and each secret file on its own, read-only; the environment names files, never a secret.
    assert args["mounts"] == SERVICE["mounts"] + [{
        "type": "bind", "source": "/opt/inception/secrets/mariadb_root_password",
        "target": "/run/secrets/mariadb_root_password", "read_only": True}]
    assert args["env"] == SERVICE["env"]
    for absent in ("published_ports", "tmpfs", "user", "init", "blkio_weight"):
        assert absent not in args, absent
    assert (result["changed"], result["changes"], result["first_start"]) == (False, [], False)


def test_a_rerun_that_finds_it_all_in_place_changes_nothing_and_a_repair_is_named():
    assert Run()()["changed"] is False
    result = Run({"docker_container": {"changed": True, "container": {"Id": "x"}}})()
    assert (result["changed"], result["changes"], result["container"]) == (True, ["container jdoe_mariadb"], {"Id": "x"})
    result = Run({"docker_volume": {"changed": True}})()
    assert (result["changed"], result["changes"]) == (True, ["volume jdoe_mariadb"])


def test_a_first_start_is_given_the_first_start_timeout_and_a_start_period_as_long():
    later = Run(unset_paths=["/home/jdoe/data/wordpress"])
    assert later()["first_start"] is False
    assert later.args("docker_container")[0]["healthy_wait_timeout"] == 120
    first = Run(unset_paths=["/home/jdoe/data/mariadb"])
    assert first()["first_start"] is True
    args = first.args("docker_container")[0]
    assert args["healthy_wait_timeout"] == 600
    assert args["healthcheck"]["start_period"] == "600s"
    # Without a first_start_timeout, both are the healthy timeout.
    profile = {key: value for key, value in PROFILE.items() if key != "first_start_timeout"}
    first = Run(profile=profile, unset_paths=["/home/jdoe/data/mariadb"])
    first()
    assert first.args("docker_container")[0]["healthy_wait_timeout"] == 120
    assert first.args("docker_container")[0]["healthcheck"]["start_period"] == "120s"


def test_block_io_follows_what_the_kernel_applies_and_the_disk_of_the_data():
    run = Run()
    run()
    args = run.args("docker_container")[0]
    assert "blkio_weight" not in args
    assert [args["device_" + name] for name in ("read_bps", "write_bps", "read_iops", "write_iops")] == [[], [], [], []]
    run = Run(blkio_device="/dev/vda", blkio_weight_supported=True)
    run()
    args = run.args("docker_container")[0]
    assert args["blkio_weight"] == 800
    assert args["device_read_bps"] == [{"path": "/dev/vda", "rate": str(200 * 1024 ** 2)}]
    assert args["device_read_iops"] == [{"path": "/dev/vda", "rate": 4000}]
    assert args["device_write_iops"] == []


def test_an_unhealthy_container_fails_saying_why_with_its_state_checks_and_last_log_lines():
    info = {"exists": True, "container": {"RestartCount": 2, "State": {
        "Status": "running", "ExitCode": 0, "Health": {"Status": "unhealthy", "Log": [
            {"ExitCode": 1, "Output": "old\n"}, {"ExitCode": 1, "Output": "no answer\n"},
            {"ExitCode": 1, "Output": "no answer\n"}, {"ExitCode": 1, "Output": "still none\n"}]}}}}
    run = Run({"docker_container": {"failed": True, "msg": "Timeout of 120.0 seconds exceeded while waiting"},
               "docker_container_info": info,
               "command": {"stdout_lines": ["mariadbd: Read-only file system"], "stderr_lines": ["[ERROR] Aborting"]}},
              log_lines=5)
    with pytest.raises(AnsibleActionFail) as failure:
        run()
    assert [name for name, _args in run.calls][-3:] == ["docker_container", "docker_container_info", "command"]
    assert run.args("command") == [{"argv": ["docker", "logs", "--tail", "5", "jdoe_mariadb"]}]
    assert str(failure.value.message).splitlines() == [
        "jdoe_mariadb did not become healthy: Timeout of 120.0 seconds exceeded while waiting",
        "state: running, exit code 0, restarts 2, health unhealthy",
        "last health checks:", "  exit 1: no answer", "  exit 1: no answer", "  exit 1: still none",
        "last 5 log lines:", "  mariadbd: Read-only file system", "  [ERROR] Aborting"]
    assert failure.value.result["failed"] is True


def test_a_container_that_is_gone_is_reported_absent():
    report = containers.unhealthy_report("jdoe_nginx", "No such image", {"exists": False}, [], 30)
    assert report.splitlines()[:3] == ["jdoe_nginx did not become healthy: No such image",
                                       "state: absent, exit code -, restarts 0, health none", "last health checks:"]


def test_a_longer_wait_for_a_step_that_needs_it_is_no_setting_of_the_container():
    run = Run(healthy_wait=180)
    run()
    args = run.args("docker_container")[0]
    assert args["healthy_wait_timeout"] == 180
    assert {key: value for key, value in args.items() if key != "healthy_wait_timeout"} == {
        key: value for key, value in Run().plugin_args().items() if key != "healthy_wait_timeout"}


def test_a_volume_that_cannot_be_made_is_named_and_no_container_is_started():
    run = Run({"docker_volume": {"failed": True, "msg": "no such device"}})
    with pytest.raises(AnsibleActionFail, match="volume jdoe_mariadb: no such device"):
        run()
    assert [name for name, _args in run.calls] == ["docker_volume"]


BUILDING = {"started": True, "finished": False}


def test_a_build_started_in_the_background_is_waited_for_then_the_container_starts(monkeypatch):
    monkeypatch.setattr(containers, "BUILD_PACE", 0)
    run = Run({"async_status": [BUILDING, BUILDING, {"started": True, "finished": True, "changed": True}]},
              build_job="j123.456")
    run()
    assert [name for name, _args in run.calls] == ["async_status"] * 3 + ["docker_volume", "docker_container"]
    assert run.args("async_status")[0] == {"jid": "j123.456", "_async_dir": "/root/.ansible_async"}


def test_a_failed_build_fails_naming_the_image_and_the_build_and_starts_nothing():
    run = Run({"async_status": {"finished": True, "failed": True, "msg": "Error building mariadb: exit 100"}},
              build_job="j1")
    with pytest.raises(AnsibleActionFail, match=r"the build of mariadb:0123456789ab failed: Error building .*exit 100"):
        run()
    assert [name for name, _args in run.calls] == ["async_status"]


def test_a_build_that_outlasts_its_timeout_fails_and_starts_nothing(monkeypatch):
    monkeypatch.setattr(containers, "BUILD_PACE", 0)
    run = Run({"async_status": BUILDING}, build_job="j1", build_timeout=0)
    with pytest.raises(AnsibleActionFail, match="did not finish within 0 seconds .service_build_timeout"):
        run()
    assert {name for name, _args in run.calls} == {"async_status"}


def test_without_a_build_nothing_is_waited_for():
    run = Run()
    run()
    assert "async_status" not in [name for name, _args in run.calls]


def test_secrets_need_their_directory_and_a_description_its_name():
    with pytest.raises(AnsibleActionFail, match="secrets_dir"):
        Run(secrets_dir="")()
    with pytest.raises(AnsibleActionFail, match="lacks container"):
        Run(service={"name": "mariadb"})()


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_each_real_description_gives_arguments_the_modules_take(role):
    service = resolve(role, "{{ %s_service }}" % role, inception_bonus=True)
    profile = resolve(role, "{{ inception_container_profile | combine(%s_service.profile | default({})) }}" % role)
    run = Run(service=service, profile=profile, blkio_device="/dev/vda", blkio_weight_supported=True,
              engine_version="26.1.5+dfsg1")
    run()
    assert [name for name, _args in run.calls] == ["docker_volume"] * len(service.get("volumes", [])) + ["docker_container"]
    args = run.args("docker_container")[0]
    assert args["name"] == service["container"]
    assert args["networks"][0]["aliases"] == service.get("aliases", [service["name"]])
    assert len(args["mounts"]) == len(service.get("mounts", [])) + len(service.get("secrets", []))
    for key in ("published_ports", "tmpfs", "user", "init", "env"):
        assert args.get(key) == service.get(key), (role, key)


# --- the pieces ---------------------------------------------------------------

def test_secret_files_are_mounted_one_by_one_read_only():
    assert containers.secret_mounts(["a_password", "b_password"], "/opt/x/secrets/") == [
        {"type": "bind", "source": "/opt/x/secrets/a_password", "target": "/run/secrets/a_password", "read_only": True},
        {"type": "bind", "source": "/opt/x/secrets/b_password", "target": "/run/secrets/b_password", "read_only": True},
    ]
    assert containers.secret_mounts([], "/x") == []


def test_blkio_rules_are_one_rule_per_limit_on_the_device_or_none():
    rules = containers.blkio_rules({"read_bps": "100m", "write_bps": "20M", "read_iops": 2000, "write_iops": 0}, "/dev/vda")
    assert rules == {
        "read_bps": [{"path": "/dev/vda", "rate": str(100 * 1024 ** 2)}],
        "write_bps": [{"path": "/dev/vda", "rate": str(20 * 1024 ** 2)}],
        "read_iops": [{"path": "/dev/vda", "rate": 2000}],
        "write_iops": [],
    }
    assert containers.blkio_rules({"read_bps": "1g", "write_bps": "512k"}, "") == {
        "read_bps": [], "write_bps": [], "read_iops": [], "write_iops": []}


@pytest.mark.parametrize("limits", [{"read_bps": "fast"}, {"write_iops": "10m"}, {"write_bps": "-5m"}])
def test_blkio_rules_refuse_what_is_not_a_limit(limits):
    with pytest.raises(ValueError, match="block I/O limit"):
        containers.blkio_rules(limits, "/dev/vda")
    with pytest.raises(AnsibleActionFail, match="mariadb: block I/O limit"):
        Run(profile=dict(PROFILE, blkio_limits=limits), blkio_device="/dev/vda")()


@pytest.mark.parametrize("engine", ["25.0.0", "26.1.5+dfsg1", "28.2.2"])
def test_an_engine_of_25_or_later_checks_every_second_during_the_start_period(engine):
    assert containers.healthcheck({}, "120s", engine) == {
        "test": ["CMD", "/usr/local/bin/healthcheck.sh"], "interval": "5s", "timeout": "10s", "retries": 3,
        "start_period": "120s", "start_interval": "1s"}


@pytest.mark.parametrize("engine", ["20.10.24+dfsg1", "24.0.7", "", None, "unknown"])
def test_an_older_or_unknown_engine_gets_no_start_interval(engine):
    check = containers.healthcheck({"start_interval": "2s"}, "120s", engine)
    assert "start_interval" not in check
    assert check["interval"] == "5s" and check["start_period"] == "120s"


def test_a_services_healthcheck_goes_over_the_defaults():
    spec = {"interval": "30s", "timeout": "3s", "start_period": "10s", "start_interval": "2s",
            "test": ["CMD", "true"]}
    assert containers.healthcheck(spec, "120s", "26.1.5") == dict(spec, retries=3)


NGINX = {
    "name": "nginx", "container": "jdoe_nginx",
    "config_test": {"command": ["nginx", "-t"], "mounts": [
        {"type": "bind", "source": "/opt/inception/nginx", "target": "/etc/nginx/host", "read_only": True}]},
    "config_reload": ["nginx", "-s", "reload"],
    "host_files": {"directory": "/opt/inception/nginx", "absent": ["servers/registry.conf"],
                   "files": [{"src": "site.conf.j2", "dest": "site.conf", "mode": "0644"}]},
    "certificates": [{"key_path": "/opt/inception/tls/jdoe.42.fr.key", "cert_path": "/opt/inception/tls/jdoe.42.fr.crt",
                      "names": ["jdoe.42.fr"], "days": 365}],
}
SITE_CONF = "/opt/inception/nginx/site.conf"


@pytest.mark.parametrize("new_image, changed, steps", [
    (False, False, (False, False)),   # a rerun: nothing to test, nothing to reload
    (True, False, (True, False)),     # a new image: tested before the swap
    (False, True, (True, True)),      # changed files of the host: tested, then reloaded
    (True, True, (True, False)),      # both: tested; the new container reads them anyway
])
def test_what_is_tested_and_reloaded_before_the_swap(new_image, changed, steps):
    # Its files of the host written or removed by the stack's step, or its certificate made again or repaired.
    for written in ([SITE_CONF], ["/opt/inception/nginx/servers/registry.conf"], ["/opt/inception/tls/jdoe.42.fr.crt"],
                    ["/opt/inception/tls/jdoe.42.fr.key"]):
        assert containers.config_steps(NGINX, new_image, written if changed else ["/opt/inception/other.conf"]) == steps
    # Another service's files are not its own.
    assert containers.config_steps({"name": "redis"}, new_image, [SITE_CONF] if changed else []) == (False, False)


def test_a_services_host_files_are_those_written_and_those_that_must_not_exist():
    assert containers.host_file_paths(NGINX) == [SITE_CONF, "/opt/inception/nginx/servers/registry.conf",
                                                 "/opt/inception/tls/jdoe.42.fr.key", "/opt/inception/tls/jdoe.42.fr.crt"]
    assert containers.host_file_paths({"name": "redis"}) == []


def test_a_new_image_is_tested_in_a_throwaway_container_without_network_then_swapped():
    run = Run(service=NGINX, image="nginx:0123456789ab", new_image=True, secrets_dir="")
    result = run()
    assert [name for name, _args in run.calls] == ["docker_container", "docker_container"]
    test = run.calls[0][1]
    assert test == {"name": "jdoe_nginx-configtest", "image": "nginx:0123456789ab", "command": ["nginx", "-t"],
                    "mounts": NGINX["config_test"]["mounts"], "detach": False, "cleanup": True,
                    "network_mode": "none"}
    assert run.calls[1][1]["name"] == "jdoe_nginx" and result["tested"] and not result["reloaded"]


def test_changed_files_of_the_host_are_tested_then_the_running_daemon_reloads_them():
    run = Run({"docker_container_info": {"exists": True, "container": {"State": {"Running": True}}}},
              service=NGINX, image="nginx:0123456789ab", secrets_dir="", changed_files=[SITE_CONF])
    result = run()
    assert [name for name, _args in run.calls] == ["docker_container", "docker_container_info",
                                                   "docker_container_exec", "docker_container"]
    assert run.args("docker_container_exec") == [{"container": "jdoe_nginx", "argv": ["nginx", "-s", "reload"]}]
    assert result["tested"] and result["reloaded"]


@pytest.mark.parametrize("new_image", [True, False])
def test_a_refused_configuration_leaves_the_running_container_and_removes_what_was_refused(new_image):
    class Refusing(Run):
        def module(self, module_name=None, module_args=None, task_vars=None, wrap_async=False):
            answer = super().module(module_name, module_args, task_vars, wrap_async)
            if module_args.get("name", "").endswith("-configtest"):
                return {"failed": True, "msg": 'nginx: [emerg] unknown directive "this_is_not_a_directive"'}
            return answer

    certificate = "/opt/inception/tls/jdoe.42.fr.crt"
    run = Refusing(service=NGINX, image="nginx:0123456789ab", new_image=new_image, secrets_dir="",
                   changed_files=[] if new_image else [certificate, SITE_CONF, "/opt/inception/other.conf"])
    with pytest.raises(AnsibleActionFail) as failure:
        run()
    assert str(failure.value.message) == ('nginx refused the configuration of nginx:0123456789ab: '
                                          'nginx: [emerg] unknown directive "this_is_not_a_directive"')
    # The container itself is never touched; the new image, or its changed files (those alone), go.
    assert [args.get("name") for name, args in run.calls if name == "docker_container"] == ["jdoe_nginx-configtest"]
    assert run.args("docker_image") == ([{"name": "nginx:0123456789ab", "state": "absent"}] if new_image else [])
    assert run.args("file") == ([] if new_image else [
        {"path": SITE_CONF, "state": "absent"}, {"path": certificate, "state": "absent"}])


STARTING = {"changed": True, "container": {"State": {"Status": "running", "Health": {"Status": "starting"}}}}


@pytest.fixture()
def no_pause(monkeypatch):
    monkeypatch.setattr(containers, "PROBE_PACE", 0)


@pytest.mark.parametrize("engine", ["20.10.24+dfsg1", "24.0.7", ""])
def test_an_older_engine_starts_the_container_then_the_plugin_runs_its_check_until_it_passes(engine, no_pause):
    run = Run({"docker_container": STARTING, "docker_container_exec": [
        {"failed": True, "msg": "Container jdoe_mariadb is restarting, wait until the container is running"},
        {"changed": True, "rc": 1, "stdout": "", "stderr": "Can't connect to server on '127.0.0.1'"},
        {"changed": True, "rc": 0, "stdout": "", "stderr": ""}]}, engine_version=engine)
    result = run()
    args = run.args("docker_container")[0]
    # The engine would run its first check a whole interval (5 s) after the start.
    assert args["state"] == "started" and "healthy_wait_timeout" not in args
    assert "start_interval" not in args["healthcheck"]
    assert [name for name, _args in run.calls] == ["docker_volume", "docker_container"] + ["docker_container_exec"] * 3
    assert run.args("docker_container_exec")[0] == {"container": "jdoe_mariadb", "argv": ["/usr/local/bin/healthcheck.sh"]}
    # The check's runs change nothing: the container's step alone says.
    assert (result["changed"], result["changes"]) == (True, ["container jdoe_mariadb"])


def test_an_older_engine_runs_no_check_for_a_container_it_already_says_is_healthy():
    healthy = {"container": {"State": {"Status": "running", "Health": {"Status": "healthy"}}}}
    run = Run({"docker_container": healthy}, engine_version="20.10.24+dfsg1")
    assert run()["changed"] is False
    assert [name for name, _args in run.calls] == ["docker_volume", "docker_container"]


def test_an_engine_of_25_or_later_waits_itself_and_the_plugin_runs_no_check():
    run = Run({"docker_container": STARTING})
    run()
    assert run.args("docker_container")[0]["state"] == "healthy"
    assert run.args("docker_container_exec") == []


def test_a_check_that_never_passes_fails_saying_why_after_the_wait(no_pause):
    run = Run({"docker_container": STARTING,
               "docker_container_exec": {"changed": True, "rc": 1, "stdout": "", "stderr": "no answer"},
               "docker_container_info": {"exists": True, "container": STARTING["container"]},
               "command": {"stdout_lines": ["mariadbd: Read-only file system"]}},
              engine_version="20.10.24", profile=dict(PROFILE, healthy_timeout=0))
    with pytest.raises(AnsibleActionFail) as failure:
        run()
    assert str(failure.value.message).splitlines()[:2] == [
        "jdoe_mariadb did not become healthy: its health check did not pass within 0 seconds "
        "(the last: exit 1: no answer)", "state: running, exit code -, restarts 0, health starting"]
    assert "  mariadbd: Read-only file system" in str(failure.value.message).splitlines()


def test_check_mode_starts_nothing_so_runs_no_check():
    run = Run({"docker_container": STARTING}, engine_version="20.10.24")
    run.plugin._task.check_mode = True
    run()
    assert run.args("docker_container_exec") == []


@pytest.mark.parametrize("test, argv", [
    (["CMD", "/usr/local/bin/healthcheck.sh"], ["/usr/local/bin/healthcheck.sh"]),
    (["CMD", "redis-cli", "ping"], ["redis-cli", "ping"]),
    (["CMD-SHELL", "curl -sf http://127.0.0.1/ || exit 1"], ["/bin/sh", "-c", "curl -sf http://127.0.0.1/ || exit 1"]),
])
def test_the_check_runs_as_the_engine_runs_it(test, argv):
    assert containers.probe_argv({"test": test}) == argv


@pytest.mark.parametrize("test", [["NONE"], ["CMD"], [], ["CMD-SHELL", "a", "b"]])
def test_a_check_that_is_no_command_is_refused_before_anything_starts(test):
    with pytest.raises(ValueError, match="health check"):
        containers.probe_argv({"test": test})
    service = dict(SERVICE, healthcheck={"test": test})
    run = Run(service=service, engine_version="20.10.24")
    with pytest.raises(AnsibleActionFail, match="mariadb: health check"):
        run()
    assert run.calls == []


@pytest.mark.parametrize("starting, wait, seconds", [(False, None, 120), (True, None, 600), (True, 180, 180)])
def test_the_wait_is_the_same_for_the_engine_and_for_the_plugins_checks(starting, wait, seconds):
    assert containers.healthy_wait(PROFILE, starting, wait) == seconds
    newer = containers.container_args(SERVICE, "mariadb:0123456789ab", PROFILE, "jdoe_inception", secrets_dir="/s",
                                      starting=starting, engine_version="26.1.5", wait=wait)
    assert (newer["state"], newer["healthy_wait_timeout"]) == ("healthy", seconds)
    older = containers.container_args(SERVICE, "mariadb:0123456789ab", PROFILE, "jdoe_inception", secrets_dir="/s",
                                      starting=starting, engine_version="20.10.24", wait=wait)
    assert older["state"] == "started" and "healthy_wait_timeout" not in older
