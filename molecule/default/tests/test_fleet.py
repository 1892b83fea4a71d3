"""Fleet mode (fresh_vm): inception-vm1, the inventory group
inception_fleet_builder, builds each image, runs the private registry behind
its nginx (registry.<domain>, basic authentication, the certificate the other
engines trust) and pushes the images there; inception-vm2 pulls the tag its
own templates name (all of them: what names a host is outside the images),
and refuses an image that is not the build of that context. The converge
times of both VMs are measured with and without the registry."""
import concurrent.futures
import json
import time

import pytest
import testinfra

from conftest import EPHEMERAL, FIGURES, SCENARIO, VALUES
from playbook import run_playbook

pytestmark = pytest.mark.skipif(SCENARIO != "fresh_vm", reason="needs two hosts: the fresh_vm scenario")

BUILDER, PULLER = "inception-vm1", "inception-vm2"


@pytest.fixture(scope="module")
def vms(request, values):
    """Both VMs, whatever host this test is collected for; it runs once (for the puller)."""
    inventory = request.config.option.ansible_inventory
    return {name: testinfra.get_host(f"ansible://{name}", ansible_inventory=inventory) for name in (BUILDER, PULLER)}


@pytest.fixture()
def once(host):
    if host.backend.get_hostname() != PULLER:
        pytest.skip("a test of both VMs: it runs once, for the puller")


def images(vm):
    """The stack's images on a VM: {name:tag: image ID}."""
    lines = vm.check_output("docker images --filter label=fortytwo.inception.service "
                            "--format '{{.Repository}}:{{.Tag}} {{.ID}}'").splitlines()
    return dict(line.split() for line in lines if line.strip())


def registry(vm, path, *args):
    """A request to the registry through the builder's nginx, checked against
    the certificate the VM's engine trusts for it (the builder's)."""
    name = VALUES[BUILDER]["fleet"]["registry"]
    answer = vm.run(f"curl --silent --show-error --max-time 20 --cacert /etc/docker/certs.d/{name}/ca.crt "
                    f"--output /dev/null --write-out '%{{http_code}}' {' '.join(args)} https://{name}{path}")
    assert answer.stderr == "", answer.stderr
    return answer


def account():
    return f"{VALUES[BUILDER]['fleet']['user']}:{VALUES[BUILDER]['secrets']['registry_password']}"


def test_the_registry_is_reached_through_nginx_with_its_credentials_only(once, vms):
    builder = vms[BUILDER]
    fleet = VALUES[BUILDER]["fleet"]
    assert fleet["builder"] == BUILDER and fleet["registry"] == "registry." + VALUES[BUILDER]["domain"]
    # nginx is still the only published port: the registry publishes none.
    ports = json.loads(builder.check_output("docker inspect --format '{{json .NetworkSettings.Ports}}' registry"))
    assert all(not bindings for bindings in ports.values()), ports
    for vm in vms.values():
        assert registry(vm, "/v2/").stdout == "401"
        assert registry(vm, "/v2/", "--user", f"{fleet['user']}:wrong-password").stdout == "401"
        assert registry(vm, "/v2/", "--user", account()).stdout == "200"
    # The certificate names the registry.
    san = builder.check_output(f"openssl x509 -in {VALUES[BUILDER]['cert']} -noout -ext subjectAltName")
    assert f"DNS:{fleet['registry']}" in san
    # The puller's engine trusts the builder's certificate, read on the builder.
    assert (vms[PULLER].file(f"/etc/docker/certs.d/{fleet['registry']}/ca.crt").content_string
            == builder.file(VALUES[BUILDER]["cert"]).content_string)
    # Every image the builder runs is in the registry.
    catalog = builder.check_output(f"curl --silent --fail --cacert {VALUES[BUILDER]['cert']} --user {account()} "
                                   f"https://{fleet['registry']}/v2/_catalog")
    assert {entry["image"].split(":")[0] for entry in VALUES[BUILDER]["plan"].values()} <= set(
        json.loads(catalog)["repositories"])


def test_the_puller_runs_only_the_builders_images(once, vms):
    built_there, here = images(vms[BUILDER]), images(vms[PULLER])
    # The same tag is the same image (its ID is the digest of its
    # configuration): pulled, not built again. vm2 has no image of its own,
    # though its domain is another: what names a host is outside the images.
    assert set(here) <= set(built_there), (built_there, here)
    assert all(built_there[name] == image_id for name, image_id in here.items()), (built_there, here)
    assert {name.split(":")[0] for name in here} == {"mariadb", "wordpress", "nginx"}
    for name in here:
        labels = json.loads(vms[PULLER].check_output(f"docker image inspect --format '{{{{json .Config.Labels}}}}' {name}"))
        assert labels["fortytwo.inception.context"] == name.split(":")[1]


def test_the_puller_refuses_an_image_that_is_not_the_build_of_its_context(once, vms):
    builder, puller = vms[BUILDER], vms[PULLER]
    fleet = VALUES[BUILDER]["fleet"]["registry"]
    mariadb = VALUES[PULLER]["plan"]["mariadb"]["image"]
    foreign = VALUES[BUILDER]["plan"]["registry"]["image"]
    running = json.loads(puller.check_output("docker inspect --format '{{json .Image}}' mariadb"))
    # Something else pushed under mariadb's tag.
    # (The engine's login is root's, as Ansible logged it in.)
    push = f"docker --config /root/.docker push --quiet {fleet}/{mariadb}"
    builder.check_output(f"docker tag {foreign} {fleet}/{mariadb} && {push}")
    try:
        puller.check_output(f"docker rmi --force {mariadb}")
        result = run_playbook("site.yml", EPHEMERAL / "inventory", "--limit", PULLER, timeout=1200)
        output = " ".join((result.stdout + result.stderr).split())
        assert result.returncode != 0
        assert f"{fleet}/{mariadb} is not the build of the context this host renders" in output, output[-3000:]
        assert "Nothing was started from it" in output
        # The running database was left alone.
        assert json.loads(puller.check_output("docker inspect --format '{{json .Image}}' mariadb")) == running
        assert puller.run(f"docker image inspect {mariadb}").rc != 0
    finally:
        builder.check_output(f"docker tag {mariadb} {fleet}/{mariadb} && {push}")
    result = run_playbook("site.yml", EPHEMERAL / "inventory", "--limit", PULLER, timeout=1200)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert images(puller)[mariadb] == images(builder)[mariadb]


def reset(vm, network):
    """What a fresh converge starts from, the data kept: no container of the
    stack, none of its images (the base image stays)."""
    vm.check_output(
        f"ids=$(docker ps -aq --filter label=fortytwo.inception.network={network}); "
        "[ -z \"$ids\" ] || docker rm --force $ids >/dev/null; "
        "ids=$(docker images -q --filter label=fortytwo.inception.service | sort -u); "
        "[ -z \"$ids\" ] || docker rmi --force $ids >/dev/null; docker image prune --force >/dev/null")


def converge(name, *args):
    started = time.monotonic()
    result = run_playbook("site.yml", EPHEMERAL / "inventory", "--limit", name, *args, timeout=2400)
    seconds = time.monotonic() - started
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return seconds, result.stdout


def test_converge_times_with_and_without_the_registry(once, vms):
    for name, vm in vms.items():
        reset(vm, VALUES[name]["network"])
    # Today's way: each VM builds its own images, side by side.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        alone = dict(zip(vms, pool.map(lambda name: converge(name, "-e", "inception_fleet_builder="), vms)))
    for name, vm in vms.items():
        reset(vm, VALUES[name]["network"])
    # The fleet: vm1 builds and pushes, then vm2 pulls.
    fleet = {name: converge(name) for name in (BUILDER, PULLER)}
    # vm1 built every image (it had none, and pulls from no registry); vm2
    # only pulled: its images are vm1's, byte for byte (a build of its own
    # would have other IDs, builds are not reproducible).
    built, pulled = images(vms[BUILDER]), images(vms[PULLER])
    assert {VALUES[BUILDER]["plan"][role]["image"] for role in ("mariadb", "wordpress", "nginx_tls", "registry")} \
        <= set(built)
    for role in ("mariadb", "wordpress", "nginx_tls"):
        image = VALUES[PULLER]["plan"][role]["image"]
        assert pulled[image] == built[image], (image, fleet[PULLER][1][-3000:])
    b1, b2 = alone[BUILDER][0], alone[PULLER][0]
    f1, f2 = fleet[BUILDER][0], fleet[PULLER][0]
    figure = (f"each builds its own (side by side): vm1 {b1:.0f} s, vm2 {b2:.0f} s; fleet: vm1 builds and pushes "
              f"{f1:.0f} s, then vm2 pulls {f2:.0f} s (ratio vm1 {f1 / b1:.2f}, vm2 {f2 / b2:.2f}; machine time "
              f"{(f1 + f2) / (b1 + b2):.2f}, wall clock {(f1 + f2) / max(b1, b2):.2f})")
    print(figure)
    FIGURES[f"{SCENARIO}: fleet converge from no image, each building vs the registry"] = figure
