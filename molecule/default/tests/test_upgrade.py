"""`make upgrade` (playbooks/upgrade.yml) on the real stack: images built
before Debian's security updates are found behind the mirror, rebuilt and
swapped one service at a time while a request loop hits the site; the
running packages are then the mirror's, the content is intact, a second
upgrade and a plain converge change nothing, and a new image nginx refuses
leaves the old one serving.

The stack is first rebuilt as images made before the security updates are:
the mandatory images are removed and built again with the test-only setting
inception_apt_release=bookworm (the versions of bookworm itself; on today's
mirror nginx 1.22.1-9+deb12u9, MariaDB 10.11.18, PHP 8.2.32, where
bookworm-security has deb12u11, 10.11.19 and 8.2.36). WordPress's package and
MariaDB's 10.11 series are the same in both suites, so the data of an older
version is arranged as that version leaves it: MariaDB's record of the
version its system tables are at (mysql_upgrade_info), the package versions
the site's WordPress files came from (the volume's marker) and WordPress's
database schema version (db_version).

Default scenario only: it drives the playbooks from this controller.
"""
import re
import ssl
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import EPHEMERAL, SCENARIO, php
from playbook import collection_copy, private_json, run_playbook
from test_backup_restore import content
from test_faults import record, sql

pytestmark = pytest.mark.skipif(SCENARIO != "default", reason="runs the playbooks from this controller")
INVENTORY = EPHEMERAL / "inventory"
MANDATORY = {"mariadb": "mariadb", "wordpress": "wordpress", "nginx_tls": "nginx"}
# Packages whose security versions the upgrade must bring, per container.
WATCHED = {"mariadb": ["mariadb-server-core", "libssl3"], "wordpress": ["php8.2-fpm", "libssl3"],
           "nginx": ["nginx", "libssl3"]}


def installed(host, stack, service):
    out = host.check_output(f"docker exec {stack['prefix']}{service} dpkg-query -W -f '${{Package}} ${{Version}}\\n' "
                            + " ".join(WATCHED[service]))
    return dict(line.split(" ", 1) for line in out.splitlines())


def candidates(host, stack, packages):
    """The versions the mirror offers now, from the lists the upgrade fetched."""
    out = host.check_output(
        f"docker run --rm --network none -v {stack['project_dir']}/apt-lists:/var/lib/apt/lists:ro "
        f"debian:bookworm apt-cache policy {' '.join(sorted(packages))}")
    return dict(re.findall(r"^(\S+):\n\s+Installed: .*\n\s+Candidate: (\S+)", out, re.M))


class Prober(threading.Thread):
    """Requests the home page and wp-login.php in turn, one at a time, and
    keeps each answer's time and status (None: no answer)."""

    def __init__(self, stack):
        super().__init__(daemon=True)
        self.url = stack["url"]
        self.context = ssl.create_default_context(cafile=stack["cert"])
        self.answers = []
        self.stop = threading.Event()

    def run(self):
        paths = ["/", "/wp-login.php"]
        while not self.stop.is_set():
            path = paths[len(self.answers) % 2]
            try:
                with urllib.request.urlopen(self.url + path, context=self.context, timeout=10) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, OSError):
                status = None
            self.answers.append((time.monotonic(), path, status))
            time.sleep(0.05)

    def figures(self):
        failed = [a for a in self.answers if a[2] != 200]
        times = [a[0] for a in self.answers if a[2] == 200]
        gap = max((b - a for a, b in zip(times, times[1:])), default=0.0)
        by_status = {}
        for _t, _path, status in failed:
            by_status[str(status)] = by_status.get(str(status), 0) + 1
        return len(self.answers), failed, by_status, gap


def playbook(name, *args, **kwargs):
    started = time.monotonic()
    result = run_playbook(name, INVENTORY, *args, **kwargs)
    output = result.stdout + result.stderr
    return result.returncode, output, time.monotonic() - started


def recap_changed(output):
    return [int(n) for n in re.findall(r"changed=(\d+)", output.split("PLAY RECAP")[-1])]


def test_an_upgrade_brings_the_security_versions_with_the_site_up_and_the_content_intact(host, stack, tmp_path):
    prefix = stack["prefix"]
    # 1. The mandatory images, built again before the security updates.
    images = [stack["plan"][role]["image"] for role in MANDATORY]
    replaced = host.check_output(f"docker image inspect --format '{{{{.Id}}}}' {' '.join(images)}").split()
    host.check_output(f"docker image rm --force {' '.join(images)}")
    extra = private_json(tmp_path / "old.json", {"inception_apt_release": "bookworm"})
    rc, output, took = playbook("site.yml", "-e", f"@{extra}")
    assert rc == 0, output[-4000:]
    host.run(f"docker image rm {' '.join(replaced)}")
    old = {service: installed(host, stack, service) for service in WATCHED}
    # An image an older upgrade left, which no container uses.
    leftover = "mariadb:000000000000-00000000"
    host.check_output("echo 'FROM debian:bookworm' | docker build --quiet "
                      f"--label fortytwo.inception.service=mariadb --tag {leftover} -")

    # 2. Content made through WordPress, and data as older versions leave it.
    made = php(host, stack, (
        "$post = wp_insert_post(['post_title' => 'Kept by the upgrade', 'post_status' => 'publish',"
        " 'post_content' => 'A post that must be there after the upgrade.'], true);"
        " wp_insert_comment(['comment_post_ID' => $post, 'comment_author' => 'A reader',"
        " 'comment_content' => 'A comment that must stay too.', 'comment_approved' => 1]);"
        " $upload = wp_upload_bits('upgrade-probe.txt', null, base64_encode(random_bytes(150000)));"
        " if ($upload['error']) { throw new Exception($upload['error']); }"
        " echo $upload['url'];"))
    upload_path = "/" + made.split(stack["domain"], 1)[1].split("/", 1)[1]
    served = host.check_output(f"curl --silent --fail --cacert {stack['cert']} {stack['url']}{upload_path} | sha256sum")
    before = content(host, stack)
    host.check_output(f"docker exec {prefix}mariadb sh -c 'printf 10.6.21-MariaDB > /var/lib/mysql/mysql_upgrade_info'")
    host.check_output(f"docker exec {prefix}wordpress sh -c "
                      "'printf \"wordpress 6.1.1+dfsg1-0+deb12u1\\n\" > /var/www/html/.inception-seeded'")
    schema = int(sql(host, stack, "SELECT option_value FROM wp_options WHERE option_name = 'db_version'"))
    sql(host, stack, f"UPDATE wp_options SET option_value = '{schema - 1}' WHERE option_name = 'db_version'")

    # 3. The upgrade, under a request loop.
    prober = Prober(stack)
    prober.start()
    try:
        time.sleep(2)
        rc, output, took = playbook("upgrade.yml")
        time.sleep(2)
    finally:
        prober.stop.set()
        prober.join(30)
    assert rc == 0, output[-5000:]
    report = output[output.index("TASK [Report the upgrade]"):].split("PLAY RECAP")[0]
    record("make upgrade report", "\n" + "\n".join(line.strip() for line in report.splitlines()[3:] if line.strip()))
    for role, service in MANDATORY.items():
        assert re.search(rf"^\s+{service}\s+upgraded\s", report, re.M), report[:3000]
    # Only the images behind the mirror are rebuilt: the bonus ones were built
    # with the security updates and are left alone.
    for service in stack["bonus"]:
        assert re.search(rf"^\s+{service}\s+up to date\s", report, re.M), report[:3000]

    # 4. The mirror's versions run, and each is newer than before.
    now = {service: installed(host, stack, service) for service in WATCHED}
    offered = candidates(host, stack, {p for packages in WATCHED.values() for p in packages})
    for service, packages in now.items():
        for package, version in packages.items():
            assert version == offered[package], (service, package, version, offered[package])
            assert version != old[service][package], (service, package, version)
            assert f"{service}: {package} {old[service][package]} -> {version}" in report, report[:4000]

    # The image each service ran before stays, for a rollback; what older
    # upgrades left is gone.
    assert host.run(f"docker image inspect {' '.join(images)}").rc == 0
    assert host.run(f"docker image inspect {leftover}").rc != 0

    # 5. The data followed, and nothing the users wrote changed.
    # MariaDB's upgrade step ran (its health check runs it as soon as the
    # record is behind the server's series) and MariaDB says none is due.
    series = host.check_output(f"docker exec {prefix}mariadb mariadbd --version").split()[2].rsplit(".", 1)[0]
    assert host.check_output(f"docker exec {prefix}mariadb cat /var/lib/mysql/mysql_upgrade_info").startswith(
        series + "."), "mariadb-upgrade did not run"
    assert host.run(f"docker exec {prefix}mariadb mariadb-upgrade --check-if-upgrade-is-needed").rc == 1
    assert int(sql(host, stack, "SELECT option_value FROM wp_options WHERE option_name = 'db_version'")) == schema
    packages = host.check_output(f"docker exec {prefix}wordpress dpkg-query -W -f '${{Package}} ${{Version}}\\n' "
                                 "wordpress 'wordpress-theme-*'")
    assert host.check_output(f"docker exec {prefix}wordpress cat /var/www/html/.inception-seeded") == packages
    logs = host.check_output(f"docker logs {prefix}wordpress 2>&1")
    assert "WordPress files from wordpress 6.1.1" in logs and "upgrading the database from schema" in logs
    assert content(host, stack) == before
    assert host.check_output(
        f"curl --silent --fail --cacert {stack['cert']} {stack['url']}{upload_path} | sha256sum") == served

    requests, failed, by_status, gap = prober.figures()
    downs = dict(re.findall(r"^\s+(\w+)\s+upgraded\s+\S+ \(\w+\)\s+\S+ \(\w+\)\s+([\d.]+ s)", report, re.M))
    summary = (f"{took:.0f} s; {requests} requests to / and /wp-login.php, {len(failed)} failed "
               f"({', '.join(f'{n} x {s}' for s, n in sorted(by_status.items())) or 'none'}), longest gap "
               f"{gap:.1f} s; down to healthy per service: {downs}")
    print("upgrade:", summary)
    record("make upgrade of the mandatory images under a request loop", summary)
    assert requests > 100, "the request loop did not run"
    # Every service came back: the site answers at the end of the run.
    assert [a[2] for a in prober.answers[-4:]] == [200] * 4, prober.answers[-8:]
    # A gap is a container's swap, not the whole run.
    assert gap < took / 2, summary

    # 6. Nothing newer now: the upgrade and a plain converge change nothing.
    rc, output, _took = playbook("upgrade.yml")
    assert rc == 0 and recap_changed(output) == [0], output[-3000:]
    assert "upgraded" not in output[output.index("TASK [Report the upgrade]"):].split("PLAY RECAP")[0]
    rc, output, _took = playbook("site.yml")
    assert rc == 0 and recap_changed(output) == [0], output[-3000:]


def collection_with(tmp_path, role, template, text):
    """A copy of the collection whose template gets `text` appended: how a
    broken template reaches the run."""
    copy, collections = collection_copy(tmp_path)
    path = copy / "roles" / role / "templates" / template
    path.write_text(path.read_text() + text)
    return collections


def test_an_upgrade_nginx_refuses_leaves_the_old_nginx_serving(host, stack, inspect, tmp_path):
    # From a stack with nothing behind the mirror (the test above leaves it so).
    rc, output, _took = playbook("upgrade.yml")
    assert rc == 0, output[-3000:]
    before = inspect(stack["prefix"] + "nginx")
    collections = collection_with(tmp_path, "nginx_tls", "nginx.conf.j2", "\nthis_is_not_a_directive on;\n")
    rc, output, _took = playbook("upgrade.yml", collections=collections)
    assert rc != 0, output[-3000:]
    assert "The upgrade of nginx was refused and rolled back" in output, output[-4000:]
    assert "unknown directive" in output and "this_is_not_a_directive" in output, output[-4000:]
    after = inspect(stack["prefix"] + "nginx")
    assert (after["Id"], after["Image"], after["State"]["StartedAt"]) == (
        before["Id"], before["Image"], before["State"]["StartedAt"])
    assert host.run(f"curl --silent --fail --cacert {stack['cert']} -o /dev/null {stack['url']}/wp-login.php").rc == 0
    # The refused image is gone, so nothing half-made stays behind.
    refused = re.search(r"refused the configuration of (nginx:[\w-]+)", output).group(1)
    assert host.run(f"docker image inspect {refused}").rc != 0
    # The repository's own templates: nothing to do.
    rc, output, _took = playbook("upgrade.yml")
    assert rc == 0 and recap_changed(output) == [0], output[-3000:]
