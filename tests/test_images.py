"""The decisions of a service image's life (plugins/plugin_utils/images.py),
which the action plugins service_plan and service_image act on: the content
tag, whether a held tag is our build, what to do otherwise, the refusal of a
foreign pulled image, and the config digest that recreates a container whose
secrets rotated."""
import pytest

from ansible_collections.fortytwo.inception.plugins.plugin_utils import images

FILES = [{"src": "Dockerfile.j2", "dest": "Dockerfile", "mode": "0644"},
         {"src": "entrypoint.sh.j2", "dest": "entrypoint.sh", "mode": "0755"}]
RENDERED = ["FROM debian:bookworm\nCMD [\"mariadbd\"]\n", "#!/bin/sh\nexec \"$@\"\n"]
IMAGE = "mariadb:0123456789ab"
OURS = {images.LABEL_SERVICE: "mariadb", images.LABEL_CONTEXT: "0123456789ab"}


def test_the_image_tag_is_twelve_hex_digits_and_stable():
    tag = images.image_tag(RENDERED, FILES, "debian:bookworm")
    assert len(tag) == 12 and int(tag, 16) >= 0
    assert images.image_tag(list(RENDERED), [dict(f) for f in FILES], "debian:bookworm") == tag


@pytest.mark.parametrize("change", [
    lambda r, f, b: ([r[0] + "# one more line\n", r[1]], f, b),      # a template renders otherwise
    lambda r, f, b: (r, [f[0], {**f[1], "mode": "0644"}], b),        # a file mode
    lambda r, f, b: (r, [f[0], {**f[1], "dest": "start.sh"}], b),    # a file name
    lambda r, f, b: (r, f, "debian:trixie"),                         # the base image
    lambda r, f, b: ([r[0] + r[1][:1], r[1][1:]], f, b),             # the same text, split otherwise
])
def test_any_change_to_the_build_context_changes_the_tag(change):
    assert images.image_tag(*change(RENDERED, FILES, "debian:bookworm")) != \
        images.image_tag(RENDERED, FILES, "debian:bookworm")


@pytest.mark.parametrize("image", ["mariadb", "mariadb:latest", "mariadb:", ":0123", "localhost:5000/mariadb"])
def test_an_image_without_a_content_tag_is_refused(image):
    with pytest.raises(ValueError, match="never latest"):
        images.split_image(image)


def test_only_our_build_of_this_very_context_is_ours():
    assert images.is_our_build(OURS, "mariadb", IMAGE)
    assert not images.is_our_build({**OURS, images.LABEL_CONTEXT: "ba9876543210"}, "mariadb", IMAGE)
    assert not images.is_our_build({**OURS, images.LABEL_SERVICE: "wordpress"}, "mariadb", IMAGE)
    assert not images.is_our_build({}, "mariadb", IMAGE)
    assert not images.is_our_build(None, "mariadb", IMAGE)


@pytest.mark.parametrize("labels, fleet_pull, force, decision", [
    (OURS, False, False, images.KEEP),           # our build: run it, nothing else
    (OURS, True, False, images.KEEP),            # ... on a fleet's pulling host too
    (None, False, False, images.BUILD),          # missing: build it here
    (None, True, False, images.PULL),            # missing on a pulling host: the builder pushed it
    ({}, False, False, images.REBUILD),          # the tag, without our labels: built over, never run
    ({images.LABEL_SERVICE: "mariadb", images.LABEL_CONTEXT: "ffffffffffff"}, False, False, images.REBUILD),
    ({}, True, False, images.PULL),              # a foreign tag on a pulling host: pulled again, checked
    (OURS, False, True, images.REBUILD),         # an upgrade builds fresh over our own build
    (None, True, True, images.BUILD),            # ... and builds where the tag is missing, even in a fleet
])
def test_what_is_done_for_an_image_follows_what_the_engine_holds(labels, fleet_pull, force, decision):
    assert images.decide("mariadb", IMAGE, labels, fleet_pull=fleet_pull, force=force) == decision


def test_a_pulled_image_that_is_not_our_build_is_refused_naming_it():
    assert images.refusal("mariadb", IMAGE, OURS, "registry.jdoe.42.fr/" + IMAGE) is None
    message = images.refusal("mariadb", IMAGE, {images.LABEL_SERVICE: "evil"}, "registry.jdoe.42.fr/" + IMAGE)
    assert "registry.jdoe.42.fr/mariadb:0123456789ab is not the build of the context" in message
    assert "service evil, context none" in message
    assert "Nothing was started from it" in message


@pytest.mark.parametrize("message, lacks", [
    ("Error pulling image registry.x/mariadb:0123 - manifest unknown: manifest unknown", True),
    ("404 Client Error: Not Found", True),
    ("Get https://registry.x/v2/: dial tcp: connection refused", False),
    ("unauthorized: authentication required", False),
    (None, False),
])
def test_only_a_missing_tag_in_the_registry_means_build_it_here(message, lacks):
    assert images.registry_lacks(message) is lacks


def test_the_labels_held_are_read_from_the_engines_list():
    engine = [{"RepoTags": ["nginx:aaaaaaaaaaaa"], "Labels": {"x": "1"}},
              {"RepoTags": [IMAGE, "mariadb:rollback"], "Labels": OURS},
              {"RepoTags": None, "Labels": None}]
    assert images.held_labels(engine, IMAGE) == OURS
    assert images.held_labels(engine, "mariadb:ffffffffffff") is None
    assert images.held_labels([{"RepoTags": [IMAGE], "Labels": None}], IMAGE) == {}
    # Docker Hub's long names are the engine's short ones, both ways.
    hub = [{"Id": "a", "RepoTags": ["debian:bookworm"], "Labels": {}}]
    assert images.held(hub, "docker.io/library/debian:bookworm")["Id"] == "a"
    assert images.held([{"RepoTags": ["docker.io/library/debian:bookworm"]}], "debian:bookworm")
    assert images.held(hub, "localhost:5000/debian:bookworm") is None


def test_the_config_digest_follows_the_secrets_and_never_shows_one():
    base = images.config_digest("nginx", ["s3cret-Value"])
    assert base == images.config_digest("nginx", ["s3cret-Value"])
    assert base != images.config_digest("nginx", ["s3cret-Value2"])
    assert base != images.config_digest("nginx", [])
    assert base != images.config_digest("redis", ["s3cret-Value"])
    # Not a plain hash of the secret anyone could look up.
    import hashlib
    assert base not in hashlib.sha256(b"s3cret-Value").hexdigest()
    assert len(base) == 16 and int(base, 16) >= 0
    # Two services' secrets, joined otherwise, do not collide.
    assert images.config_digest("x", ["ab", "c"]) != images.config_digest("x", ["a", "bc"])


def test_an_upgraded_image_has_a_tag_of_its_own():
    assert images.versioned_tag("0123456789ab", "") == "0123456789ab"
    assert images.versioned_tag("0123456789ab", "1f2e3d4c") == "0123456789ab-1f2e3d4c"
    assert images.split_image("mariadb:0123456789ab-1f2e3d4c") == ("mariadb", "0123456789ab-1f2e3d4c")
    with pytest.raises(ValueError, match="not hex digits"):
        images.versioned_tag("0123456789ab", "../x")
