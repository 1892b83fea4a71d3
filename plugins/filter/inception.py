# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""Filters of fortytwo.inception: the values that would otherwise be Jinja
programs (an image's content tag, the status table, what the Debian mirror
has that an image lacks, the upgrade report)."""

import os
import re
from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

from ansible_collections.fortytwo.inception.plugins.plugin_utils.images import config_digest as _config_digest
from ansible_collections.fortytwo.inception.plugins.plugin_utils.images import held as _held
from ansible_collections.fortytwo.inception.plugins.plugin_utils.upgrades import package_diff

STATUS_HEADER = ["SERVICE", "STATE", "HEALTH", "IMAGE", "UPDATES", "UPTIME", "RESTARTS", "MEMORY", "PUBLISHED", "VOLUME"]
# The table `make status` prints at once, without asking the mirror (tools/status.py).
STATUS_HEADER_NOW = [column for column in STATUS_HEADER if column != "UPDATES"]


LOGIN = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PINNED_IMAGE = re.compile(r"^[a-z0-9./_-]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$")
REGISTRY_PASSWORD = re.compile(r"^[A-Za-z0-9._~-]{16,}$")
IPV4 = re.compile(r"^[0-9]{1,3}([.][0-9]{1,3}){3}$")


def host_input_errors(given):
    """What is wrong with docker_host's inputs (`given`: login, domain, port,
    base_image, data_dir, data_dir_taken, base_image_method,
    base_image_archive, release and supported_releases, and fleet, the
    fleet's builder, builders, hosts, password and registry_address, or
    none): one message per problem, naming the variable and the fix; [] when
    all is well."""
    errors = []
    release, supported = given.get("release") or {}, given.get("supported_releases") or {}
    if release.get("id") != "debian" or release.get("codename") not in supported:
        errors.append("This host runs %s (%s %s): docker_host prepares %s only. Nothing was changed; run it on one of "
                      "those." % (release.get("name") or "an unknown system (no /etc/os-release)",
                                  release.get("id") or "?", release.get("codename") or "?",
                                  " and ".join(supported.values())))
    login = str(given.get("login", ""))
    if not LOGIN.match(login):
        errors.append("inception_login is '%s': use your 42 login, a valid Linux user name (lower-case letters, "
                      "digits, '_' or '-', starting with a letter), e.g. `make LOGIN=jdoe`." % login)
    domain = str(given.get("domain", ""))
    if not DOMAIN.match(domain):
        errors.append("inception_domain is '%s': give a lower-case host name such as %s.42.fr." % (domain, login))
    port = given.get("port")
    try:
        port_ok = 1 <= int(port) <= 65535
    except (TypeError, ValueError):
        port_ok = False
    if not port_ok:
        errors.append("inception_https_port is '%s': give a port between 1 and 65535 (443 for the subject)." % port)
    image = str(given.get("base_image", ""))
    if not PINNED_IMAGE.match(image) or image.rsplit(":", 1)[-1] == "latest":
        errors.append("inception_base_image is '%s': give it an explicit tag other than latest, for example "
                      "debian:bookworm." % image)
    data_dir = str(given.get("data_dir", ""))
    if not data_dir.startswith("/") or len(data_dir) < 2:
        errors.append("inception_data_dir is '%s': it must be an absolute path such as /home/%s/data."
                      % (data_dir, login))
    elif given.get("data_dir_taken"):
        errors.append("inception_data_dir (%s) exists and is not a directory: move the file away or set "
                      "inception_data_dir to another path." % data_dir)
    if given.get("base_image_method") == "load" and not given.get("base_image_archive"):
        errors.append("docker_host_base_image_method is 'load': set docker_host_base_image_archive to a `docker "
                      "save` tarball of %s on the controller." % image)
    fleet = given.get("fleet")
    if fleet:
        builders, address = list(fleet.get("builders") or []), str(fleet.get("registry_address") or "")
        if len(builders) != 1 or fleet.get("builder") not in (fleet.get("hosts") or []) \
                or not REGISTRY_PASSWORD.match(str(fleet.get("password") or "")) or not IPV4.match(address):
            errors.append(
                "Fleet mode (inventory group inception_fleet_builder: %s) needs exactly one builder, a host of the "
                "group inception; registry_password on every host (at least 16 characters of letters, digits, '.', "
                "'_', '~' or '-': add vault_registry_password with `make vault`); and inception_fleet_registry_address, "
                "the IPv4 address the other hosts reach the builder's registry at ('%s': the builder's ansible_host "
                "by default; set it on the builder's hosts when ansible_host is a name). Fix the inventory, or remove "
                "the group to build on every host." % (", ".join(builders), address))
    return errors


def blkio_device(source, disk, throttles, data_dir):
    """Where the services' block I/O limits go: the device `source` that
    holds `data_dir` (findmnt), or its disk when it is a partition (`disk`:
    lsblk's PKNAME, empty for a whole device; None when lsblk could not tell),
    if the kernel `throttles` block I/O. {device ('' for none), summary}."""
    source = str(source or "").strip()
    disk = None if disk is None else str(disk).strip()
    if not throttles:
        return {"device": "", "summary": "Block I/O limits: none, this kernel throttles no block I/O"}
    if not source.startswith("/dev/") or disk is None:
        return {"device": "", "summary": "Block I/O limits: none, %s is on %s, not a block device" % (
            data_dir, source or "an unknown file system")}
    device = "/dev/" + disk if disk else source
    return {"device": device, "summary": "Block I/O limits: on %s, which holds %s" % (device, data_dir)}


def config_digest(secrets, service):
    """The digest a container carries as its label fortytwo.inception.config:
    its secrets through PBKDF2 (never a plain hash), so that docker_container
    recreates it when one rotates (plugin_utils/images.py)."""
    return _config_digest(service, secrets)


def containers_not_in(containers, plan, network):
    """Names of the containers of the stack on `network` (its label
    fortytwo.inception.network; the engine's containers, docker_host_info,
    verbose) that no service of `plan` (role -> {container, image}, the
    services switched on) runs: a service switched off, or one whose role is
    no longer in the list. A container counts as a service's only under its
    role label and its container name both; any other container is left."""
    running = {(role, entry["container"]) for role, entry in (plan or {}).items()}
    names = []
    for container in containers or []:
        name = (container.get("Names") or ["/"])[0].lstrip("/")
        labels = container.get("Labels") or {}
        role = labels.get("fortytwo.inception.role")
        if labels.get("fortytwo.inception.network") == network and (role, name) not in running:
            names.append(name)
    return names


def tagged(images, reference):
    """The images (docker_host_info, verbose) the engine holds under the tag
    `reference` (none, or one): plugin_utils/images.py's `held`, which the
    service images are looked up with too."""
    entry = _held(images, reference)
    return [] if entry is None else [entry]


def volume_states(volumes, data_dir, entries):
    """The volumes' host paths (each directly in data_dir) that are taken by
    something that is not a directory (volumes_taken), and those whose
    `initialized` (a name in the volume) is not there yet, their first start to
    come (volumes_unset), from what host_facts listed of data_dir
    (data_dir_entries)."""
    taken, unset = [], []
    for volume in volumes or []:
        path = volume["path"]
        if os.path.dirname(path.rstrip("/")) != data_dir.rstrip("/"):
            raise AnsibleFilterError("the volume path %s is not directly in inception_data_dir (%s): a service keeps "
                                     "its data there" % (path, data_dir))
        name = os.path.basename(path.rstrip("/"))
        held = (entries or {}).get(name, [])
        marker = volume.get("initialized") or ""
        if "/" in marker:
            raise AnsibleFilterError("initialized of the volume %s is %s: a name directly in the volume is expected"
                                     % (path, marker))
        if held is None:
            taken.append(path)
        elif marker and marker not in held:
            unset.append(path)
    return {"volumes_taken": taken, "volumes_unset": unset}


def selected_by_tags(names, run_tags=None, skip_tags=None):
    """The names, in their order, that a run's --tags (run_tags) and
    --skip-tags (skip_tags) select, as Ansible selects a task tagged with one
    name alone (Taggable.evaluate_tags): named, or `all` (the default) or
    `tagged` given, and neither it, `all` nor `tagged` skipped."""
    run_tags, skip_tags = set(run_tags or ["all"]), set(skip_tags or [])
    return [name for name in names or []
            if {name, "all", "tagged"} & run_tags and not {name, "all", "tagged"} & skip_tags]


def daemon_config(current, userns_remap):
    """The engine's daemon.json (a dict) with user-namespace remapping on or
    off, every other setting kept: on keeps a remap user the file names
    already, or takes Docker's own (default: the dockremap user)."""
    config = dict(current or {})
    if userns_remap:
        config.setdefault("userns-remap", "default")
    else:
        config.pop("userns-remap", None)
    return config


def _subordinate(text, name):
    for line in str(text or "").splitlines():
        fields = line.strip().split(":")
        if len(fields) == 3 and fields[0] == name and fields[1].isdigit() and fields[2].isdigit():
            return int(fields[1]), int(fields[2])
    return None


def userns_enabled(security_options):
    """Whether the engine remaps user namespaces (docker info's SecurityOptions)."""
    return any(str(option).split(",", maxsplit=1)[0] == "name=userns" for option in security_options or [])


def userns_ids(security_options, subuid, subgid, remap="default"):
    """What the engine's user-namespace remapping means for host files:
    `security_options` (docker info's SecurityOptions) say whether it is on,
    /etc/subuid and /etc/subgid (`subuid`, `subgid`) the range of the remap
    user (`remap`: daemon.json's userns-remap, "default" for dockremap,
    or user[:group]). {enabled, uid, gid: what container ID 0 is on the host,
    shift: the IDs to move (directories' shift) so that data written under the other
    setting keeps its container owners; None when no range is known}."""
    enabled = userns_enabled(security_options)
    user, group = ("dockremap" if remap in (None, "", "default") else str(remap)).partition(":")[::2]
    uids, gids = _subordinate(subuid, user), _subordinate(subgid, group or user)
    if enabled and not (uids and gids):
        raise ValueError("the engine remaps user namespaces, but /etc/subuid or /etc/subgid has no range for %s"
                         % user)
    if not (uids and gids):
        return {"enabled": False, "uid": 0, "gid": 0, "shift": None}
    count = min(uids[1], gids[1], 65536)
    shift = {"uid_from": 0, "uid_to": uids[0], "gid_from": 0, "gid_to": gids[0], "count": count}
    if not enabled:
        shift = {"uid_from": uids[0], "uid_to": 0, "gid_from": gids[0], "gid_to": 0, "count": count}
    return {"enabled": enabled, "uid": uids[0] if enabled else 0, "gid": gids[0] if enabled else 0,
            "shift": shift}


def foreign_containers(containers, network):
    """Names of the engine's containers (docker_host_info) that are not the
    stack's on `network` (label fortytwo.inception.network)."""
    return [(container.get("Names") or ["/?"])[0].lstrip("/") for container in containers or []
            if (container.get("Labels") or {}).get("fortytwo.inception.network") != network]


def htpasswd(password, user):
    """One htpasswd line (bcrypt, what the registry's htpasswd auth reads),
    its salt derived from the user and password, so the same password gives
    the same line and a rerun changes nothing. Made with the bcrypt library
    on the controller (Python's `crypt` is gone from Python 3.13)."""
    import base64
    import hashlib
    try:
        import bcrypt
    except ImportError:
        raise ValueError("the htpasswd filter needs the Python library bcrypt on the controller: "
                         "pip install bcrypt (it is in the collection's requirements.txt)")
    # bcrypt's salt: 16 bytes in its own base64 alphabet, 22 characters.
    digest = hashlib.sha256(("%s:%s" % (user, password)).encode()).digest()[:16]
    salt = base64.b64encode(digest).decode().rstrip("=").translate(str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    hashed = bcrypt.hashpw(str(password).encode(), ("$2b$10$" + salt).encode()).decode()
    return "%s:%s" % (user, hashed)


def strong_secret(value, others=(), names=(), min_length=12):
    """Whether a secret is long enough (`min_length` characters), equal to
    none of the `others` (the other secrets) and to none of the `names` in any
    case (a login, a user or database name)."""
    value = "" if value is None else str(value)
    return len(value) >= int(min_length) and value not in [str(other) for other in others or ()] \
        and value.lower() not in [str(name).lower() for name in names or ()]


def owned_directories(entries, userns):
    """The directories module's entries for a service's directories and
    volumes (path, mode, owner and group as the container sees them, 0 by
    default, the group the owner's): their owners on the host, as the engine
    maps container IDs (userns_ids' uid and gid)."""
    owned = []
    for entry in entries or []:
        owner = int(entry.get("owner", 0))
        group = int(entry.get("group", owner))
        owned.append({"path": entry["path"], "owner": str(userns["uid"] + owner),
                      "group": str(userns["gid"] + group), "mode": entry.get("mode")})
    return owned


def stale_images(images, containers, service, keep):
    """The names (repository:tag) of a service's images an upgrade leaves
    behind: the engine's images of the stack (docker_host_info) under the
    service's repository (with or without a registry in front), whose tag is
    not one of `keep` (the image the upgrade built and the one it replaced,
    for a rollback), and that no container uses (another stack's, on the same
    engine, may)."""
    kept = {str(name).rsplit(":", 1)[-1] for name in keep or [] if name}
    used = {container.get("ImageID") for container in containers or []}
    stale = []
    for image in images or []:
        if image.get("Id") in used:
            continue
        for name in image.get("RepoTags") or []:
            repository, _sep, tag = name.rpartition(":")
            if repository.rsplit("/", 1)[-1] == service and tag not in kept:
                stale.append(name)
    return sorted(stale)


def _uptime(seconds):
    seconds = int(seconds)
    if seconds >= 86400:
        return "%dd%02dh" % (seconds // 86400, seconds % 86400 // 3600)
    if seconds >= 3600:
        return "%dh%02dm" % (seconds // 3600, seconds % 3600 // 60)
    return "%dm%02ds" % (seconds // 60, seconds % 60)


def _started(text):
    # Docker gives nanoseconds and a Z: 2026-11-30T03:55:14.123456789Z.
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def _behind(changes):
    if changes is None:
        return "-"
    return "%d behind" % len(changes) if changes else "up to date"


def status_rows(containers, memory=None, order=None, now=None, patches=None, updates=True):
    """Rows of `make status` from docker_container_info results (the
    `container` of each), with `docker stats` lines "<name> <used> / <limit>",
    in the order of the roles in `order` (the label fortytwo.inception.role).
    `patches` (image -> the package changes the mirror has for it, as
    fortytwo.inception.image_patches says) fills UPDATES: how many packages the image is behind;
    without `updates` the rows have no such column (STATUS_HEADER_NOW)."""
    usage = {}
    for line in memory or []:
        name, _sep, rest = str(line).partition(" ")
        usage[name] = rest.split(" / ")[0] or "-"
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    order = list(order or [])

    def rank(container):
        role = (container["Config"].get("Labels") or {}).get("fortytwo.inception.role")
        return (order.index(role) if role in order else len(order), container["Name"])

    rows = []
    for container in sorted((c for c in containers if c), key=rank):
        state = container["State"]
        name = container["Name"].lstrip("/")
        labels = container["Config"].get("Labels") or {}
        up = (now - _started(state["StartedAt"])).total_seconds() if state.get("Running") else 0
        ports = []
        for port, bindings in sorted((container["HostConfig"].get("PortBindings") or {}).items()):
            for binding in bindings or []:
                ports.append("%s:%s->%s" % (binding.get("HostIp") or "0.0.0.0", binding.get("HostPort"), port))
        volumes = [mount["Name"] + ("" if mount.get("RW") else " (ro)")
                   for mount in container.get("Mounts") or [] if mount.get("Type") == "volume"]
        rows.append([
            labels.get("fortytwo.inception.service", name),
            state.get("Status", "-"),
            (state.get("Health") or {}).get("Status", "-"),
            container["Config"].get("Image", "-"),
        ] + ([_behind((patches or {}).get(container["Config"].get("Image")))] if updates else []) + [
            _uptime(max(up, 0)),
            str(container.get("RestartCount", 0)),
            usage.get(name, "-"),
            " ".join(ports) or "-",
            " ".join(volumes) or "-",
        ])
    return rows


def text_table(rows, header=None):
    """Left-aligned columns, two spaces apart, the header first."""
    header = list(header or STATUS_HEADER)
    table = [header] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table)


def package_changes(changes, limit=0):
    """One line of package changes: "nginx 1.22.1-9+deb12u9 -> 1.22.1-9+deb12u11, ...";
    with `limit`, that many and a count of the others."""
    changes = list(changes or [])
    shown = changes[:int(limit)] if limit else changes
    text = ", ".join("%s %s -> %s" % (c["package"], c["old"] or "(new)", c["new"] or "(removed)") for c in shown)
    if len(changes) > len(shown):
        text += ", and %d more" % (len(changes) - len(shown))
    return text or "-"


UPGRADE_HEADER = ["SERVICE", "RESULT", "IMAGE BEFORE", "IMAGE AFTER", "DOWN", "PACKAGES"]


def _ordered(report, order):
    order = list(order or [])
    return sorted(report or {}, key=lambda r: (order.index(r) if r in order else len(order), r))


def upgrade_rows(report, order=None):
    """Rows of the upgrade report from its entries (role -> {service, result,
    before, after, down (seconds from the old container's stop to the new
    one healthy), changes}), in the order of `order`."""
    rows = []
    for role in _ordered(report, order):
        entry = report[role]
        down = entry.get("down")
        rows.append([
            entry.get("service", role),
            entry.get("result", "-"),
            entry.get("before") or "-",
            entry.get("after") or "-",
            "-" if down in (None, "") else "%.1f s" % float(down),
            str(len(entry.get("changes") or [])),
        ])
    return rows


def upgrade_table(report, order=None):
    """The upgrade report: a table (upgrade_rows), then each service's
    package changes, one per line (old -> new)."""
    lines = [text_table(upgrade_rows(report, order), header=UPGRADE_HEADER)]
    for role in _ordered(report, order):
        entry = report[role]
        for change in entry.get("changes") or []:
            lines.append("%s: %s" % (entry.get("service", role), package_changes([change])))
    return "\n".join(lines)


class FilterModule:
    """fortytwo.inception filters."""

    def filters(self):
        return {
            "blkio_device": blkio_device,
            "config_digest": config_digest,
            "containers_not_in": containers_not_in,
            "daemon_config": daemon_config,
            "foreign_containers": foreign_containers,
            "host_input_errors": host_input_errors,
            "htpasswd": htpasswd,
            "owned_directories": owned_directories,
            "package_changes": package_changes,
            "package_diff": package_diff,
            "selected_by_tags": selected_by_tags,
            "stale_images": stale_images,
            "strong_secret": strong_secret,
            "tagged": tagged,
            "status_rows": status_rows,
            "text_table": text_table,
            "upgrade_rows": upgrade_rows,
            "upgrade_table": upgrade_table,
            "volume_states": volume_states,
            "userns_enabled": userns_enabled,
            "userns_ids": userns_ids,
        }
