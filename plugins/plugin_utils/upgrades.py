# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""The decisions of `make upgrade`, as plain functions the action plugins
(image_patches, service_upgrade) call and the unit tests exercise: what an
image lacks of the mirror, whether a service gets a new image and under
which tag, and its line of the report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fortytwo.inception.plugins.plugin_utils.images import versioned_tag


# `apt-get -s dist-upgrade`: "Inst <package> [<installed>] (<candidate> <release> [<arch>])",
# without the brackets for a package the upgrade would add.
APT_INST = re.compile(r"^Inst (?P<package>\S+)(?: \[(?P<old>[^\]]+)\])? \((?P<new>\S+)")


def apt_upgrades(output):
    """Package changes an image would get from the mirror, read from the
    output of `apt-get -s dist-upgrade` run in it (text or lines): a list of
    {package, old, new}, sorted by package; `old` is empty for a package the
    upgrade would add."""
    if isinstance(output, str):
        output = output.splitlines()
    changes = {}
    for line in output or []:
        match = APT_INST.match(str(line).strip())
        if match:
            changes[match["package"]] = {"package": match["package"], "old": match["old"] or "", "new": match["new"]}
    return [changes[name] for name in sorted(changes)]


def package_diff(old, new):
    """Package changes between two images, from `dpkg-query -W` run in each
    ("<package> <version>" lines, text or lists): {package, old, new} for
    each package added, removed (new empty) or at another version, sorted."""
    def read(lines):
        if isinstance(lines, str):
            lines = lines.splitlines()
        versions = {}
        for line in lines or []:
            fields = str(line).split()
            if len(fields) >= 2:
                versions[fields[0]] = fields[1]
        return versions
    before, after = read(old), read(new)
    return [{"package": name, "old": before.get(name, ""), "new": after.get(name, "")}
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def plan(container, service, image, content_tag, state, held, patches=None, base_behind=None):
    """What `make upgrade` does for one service.

    `container` is docker_container_info's result for its container, `image`
    the tag the run names, `content_tag` and `state` those of the build to
    make, `held` the tags of the plan the engine holds, `patches` the package
    changes the mirror has for `image`, `base_behind` those it has for the
    base image. It gets a new image when the engine lacks its image, the
    mirror has changes for it, or the base image is made again.
    Returns {needed, previous ({id, name} of what the container runs, or
    {}), image (the new tag: "<service>:<content tag>-<state>"), entry (its
    line of the report, "up to date" until it is built)}."""
    container = container or {}
    running = container.get("container") if container.get("exists") else None
    previous = {"id": running["Image"], "name": running["Config"]["Image"]} if running else {}
    return {
        "needed": image not in (held or []) or bool(patches) or bool(base_behind),
        "previous": previous,
        "image": "%s:%s" % (service, versioned_tag(content_tag, state)),
        "entry": {"service": service, "result": "up to date", "before": image, "after": image, "changes": []},
    }


def built(entry, decided, image_id, packages):
    """The report line of a service once its new image is built: before (the
    name and short ID the container ran, "-" when there was none), after
    (the new tag and short ID) and the package changes between them.
    `packages` are the `dpkg-query -W` outputs of the image it ran (when it
    ran one) and of the new image, in that order."""
    previous = decided.get("previous") or {}
    packages = list(packages or [])
    return dict(entry, **{
        "before": "%s (%s)" % (previous["name"], previous["id"][7:19]) if previous else "-",
        "after": "%s (%s)" % (decided["image"], str(image_id)[7:19]),
        "changes": package_diff(packages[0] if previous and len(packages) > 1 else "", packages[-1] if packages else ""),
    })
