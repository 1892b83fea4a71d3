# Copyright: fortytwo.inception maintainers
# MIT License (see galaxy.yml)
"""The decisions of a service image's life, as plain functions the action
plugins (service_plan, service_image) call and the unit tests exercise:
what an image is named after, whether a tag the engine holds is our build,
what to do when it is not, and the digest that makes docker_container
recreate a container whose secrets rotated."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

# The labels every service image carries: which service, and which build context.
LABEL_SERVICE = "fortytwo.inception.service"
LABEL_CONTEXT = "fortytwo.inception.context"

KEEP = "keep"          # the engine holds our build of this context: run it
BUILD = "build"        # the engine lacks the tag: build it here
REBUILD = "rebuild"    # the tag is held, but not by our build of this context: build over it
PULL = "pull"          # fleet mode: the builder pushed it to the registry, pull it

# Iterations of the key derivation that hides secrets inside the config
# digest (a label anyone allowed to `docker inspect` reads).
DIGEST_ITERATIONS = 20000


def image_tag(rendered, build_files, base_image, length=12):
    """Tag of a service image: the first hex digits of a SHA-256 over the file
    list of its build context, the files as rendered, and the base image.

    The same templates and values give the same tag, so an image of that name
    is exactly this build; any change to a template, a value rendered into it,
    the file list (names, modes) or the base image gives another tag."""
    if isinstance(rendered, str):
        rendered = [rendered]
    digest = hashlib.sha256()
    digest.update(json.dumps(list(build_files), sort_keys=True).encode())
    for text in rendered:
        digest.update(b"\0")
        digest.update(str(text).encode())
    digest.update(b"\0")
    digest.update(str(base_image).encode())
    return digest.hexdigest()[:int(length)]


def versioned_tag(content_tag, package_state=""):
    """The tag of an image: its content tag, then the package state it was
    built against when `make upgrade` recorded one ("0123456789ab-1f2e3d4c"):
    an upgraded image is a new tag, never a rebuild under an old one."""
    state = str(package_state or "").strip()
    if state and not all(c in "0123456789abcdef" for c in state):
        raise ValueError("package state %r is not hex digits" % state)
    return "%s-%s" % (content_tag, state) if state else str(content_tag)


def split_image(image):
    """("mariadb", "0123456789ab") from "mariadb:0123456789ab"; a name
    without a tag, or with `latest`, is refused: a tag names one build."""
    name, sep, tag = str(image).rpartition(":")
    if not sep or not name or "/" in tag or not tag or tag == "latest":
        raise ValueError("%r is not <service>:<content tag> (never latest)" % image)
    return name, tag


def is_our_build(labels, service, image):
    """Whether an image's labels say it is our build of the context its tag
    names: the service label is `service`, the context label is the tag."""
    labels = labels or {}
    return labels.get(LABEL_SERVICE) == service and labels.get(LABEL_CONTEXT) == split_image(image)[1]


def decide(service, image, labels, fleet_pull=False, force=False):
    """What to do for a service's image, from what the engine holds.

    `labels` are the labels of the image the engine holds under that name
    (None when it holds none); `fleet_pull` says this host pulls from the
    fleet's registry; `force` asks for a fresh build (an upgrade).
    Returns KEEP, BUILD, REBUILD or PULL. A tag held by anything but our
    build of the context is never kept: a pulling host pulls it again (and
    refuses a foreign image), any other host builds over it."""
    if force:
        return REBUILD if labels is not None else BUILD
    if labels is None:
        return PULL if fleet_pull else BUILD
    if is_our_build(labels, service, image):
        return KEEP
    return PULL if fleet_pull else REBUILD


def refusal(service, image, labels, source):
    """The error for a pulled image that is not our build of this context
    (None when it is)."""
    if is_our_build(labels, service, image):
        return None
    labels = labels or {}
    return ("%s is not the build of the context this host renders (its labels say service %s, context %s, "
            "where %s and %s are expected): something other than the fleet's builder pushed it. Nothing was "
            "started from it. Remove it from the registry (or the tag here) and run the builder again."
            % (source, labels.get(LABEL_SERVICE) or "none", labels.get(LABEL_CONTEXT) or "none",
               service, split_image(image)[1]))


def registry_lacks(message):
    """Whether a failed pull says only that the registry has no such tag (the
    image is then built here), not that it is out of reach or refused us."""
    text = str(message or "").lower()
    return "manifest unknown" in text or "not found" in text


def _short_reference(reference):
    """A reference as the engine lists it in RepoTags (Docker Hub's
    docker.io/ and library/ left out)."""
    reference = str(reference or "")
    for prefix in ("docker.io/", "library/"):
        if reference.startswith(prefix):
            reference = reference[len(prefix):]
    return reference


def held(engine_images, image):
    """The entry of a docker_host_info image list (verbose: RepoTags,
    Labels) the engine holds under the tag `image`, or None. Docker Hub's
    docker.io/library/debian:bookworm is debian:bookworm."""
    wanted = _short_reference(image)
    for entry in engine_images or []:
        if wanted in [_short_reference(tag) for tag in entry.get("RepoTags") or []]:
            return entry
    return None


def held_labels(engine_images, image):
    """The labels of the image the engine holds as `image`, from a
    docker_host_info image list (with RepoTags and Labels), or None."""
    entry = held(engine_images, image)
    return None if entry is None else entry.get("Labels") or {}


def config_digest(service, secrets=None):
    """The digest a container carries as a label, so that docker_container
    recreates it when a secret it mounts rotates, as compose does with its
    config hash. The secret values go through a salted key derivation
    (PBKDF2), never a plain hash: the label is readable by anyone who may
    inspect the container."""
    digest = hashlib.sha256(b"fortytwo.inception config\0" + str(service).encode())
    if secrets:
        joined = b"\0".join(str(value).encode() for value in secrets)
        digest.update(b"\0secrets\0")
        digest.update(hashlib.pbkdf2_hmac("sha256", joined, b"fortytwo.inception:" + str(service).encode(),
                                          DIGEST_ITERATIONS))
    return digest.hexdigest()[:16]
