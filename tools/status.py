"""`make status`: one table of each Inception stack on this machine's engine.

Reads the engine through the Docker SDK (the `docker` package of the venv):
the stack's containers are the ones with the label fortytwo.inception.network
that the service role gives them, one table per network, in the order of
playbooks/vars/services.yml. Columns: state, health, image, uptime, restarts,
memory (as `docker stats` counts it), published ports, volumes; then where the
volumes keep their data and the site's URL. Changes nothing.

How many packages each image is behind Debian's mirror needs the mirror's
package lists: `make updates` (playbooks/status.yml, also for the hosts of an
INVENTORY).
"""
import argparse
import concurrent.futures
import pathlib
import sys

import docker
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The checkout is the collection (`make` links it under .collections): the
# filters the playbook uses, one table, one code.
sys.path.insert(0, str(ROOT / ".collections"))
from ansible_collections.fortytwo.inception.plugins.filter import inception  # noqa: E402

NETWORK_LABEL = "fortytwo.inception.network"


def used_memory(stats):
    """What `docker stats` shows as used: the usage without the inactive page
    cache (cgroup v1: total_inactive_file, v2: inactive_file)."""
    memory = stats.get("memory_stats") or {}
    usage = memory.get("usage")
    if usage is None:
        return None
    detail = memory.get("stats") or {}
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    return usage - inactive if inactive < usage else usage


def human(size):
    """Bytes as `docker stats` writes them: 33.4MiB."""
    if size < 1024:
        return f"{size}B"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            return f"{size:.4g}{unit}"


def memory_lines(containers):
    """`<name> <used> / <limit>` lines for status_rows, the running containers
    read side by side (one-shot stats: no second sample is awaited)."""
    def one(container):
        if container.status != "running":
            return None
        stats = container.stats(stream=False, one_shot=True)
        used = used_memory(stats)
        limit = (stats.get("memory_stats") or {}).get("limit")
        return f"{container.name} {human(used) if used is not None else '-'} / {human(limit) if limit else '-'}"

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(containers))) as pool:
        return [line for line in pool.map(one, containers) if line]


def stacks(client):
    """{network: [containers]} of every stack on the engine."""
    found = {}
    for container in client.containers.list(all=True, filters={"label": NETWORK_LABEL}):
        found.setdefault(container.labels[NETWORK_LABEL], []).append(container)
    return found


def data_dirs(client, containers):
    """The host directories the stack's named volumes keep their data in."""
    dirs = []
    for name in sorted({m["Name"] for c in containers for m in c.attrs.get("Mounts") or [] if m.get("Type") == "volume"}):
        try:
            options = client.volumes.get(name).attrs.get("Options") or {}
        except docker.errors.NotFound:
            continue
        dirs.append(options.get("device") or name)
    return dirs


def site_url(containers):
    for container in containers:
        for variable in container.attrs["Config"].get("Env") or []:
            if variable.startswith("WORDPRESS_URL="):
                return variable.split("=", 1)[1].rstrip("/") + "/"
    return None


def report(client, network, containers, order):
    rows = inception.status_rows([c.attrs for c in containers], memory_lines(containers),
                                 order=order, updates=False)
    lines = [inception.text_table(rows, header=inception.STATUS_HEADER_NOW)]
    dirs = data_dirs(client, containers)
    if dirs:
        lines.append("Volumes keep their data in " + " and ".join(dirs) + ".")
    url = site_url(containers)
    if url:
        lines.append(f"Site: {url}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", help="only the stack on this network (the default: every stack)")
    args = parser.parse_args(argv)
    order = yaml.safe_load((ROOT / "playbooks" / "vars" / "services.yml").read_text())["inception_services"]
    try:
        client = docker.from_env()
        found = stacks(client)
    except docker.errors.DockerException as error:
        sys.exit(f"status: the Docker engine does not answer ({error}): is dockerd running? `make` starts it.")
    if args.network:
        found = {args.network: found.get(args.network, [])}
    found = {network: containers for network, containers in found.items() if containers}
    if not found:
        print("No container of the stack on this machine: run `make`."
              + (f" (network {args.network})" if args.network else ""))
        return 0
    tables = []
    for network in sorted(found):
        heading = f"Stack on network {network}\n" if len(found) > 1 else ""
        tables.append(heading + report(client, network, found[network], order))
    print("\n\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
