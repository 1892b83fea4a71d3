#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fortytwo.inception contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of the service_image action plugin
(plugins/action/service_image.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: service_image
short_description: Provide the image a service runs, keeping only our own build of its context
version_added: 0.2.0
description:
  - Given a service's build context (M(fortytwo.inception.service_plan)), makes sure the engine holds its
    image, C(<name>:<content tag>), and that this image is our build of that very context.
  - An image the engine holds under that name is kept only when its own labels say so
    (C(fortytwo.inception.service) is O(name), C(fortytwo.inception.context) is the tag). Anything else
    is never run, on any host. Where the image is missing or not ours, a host of a fleet pulls it from the
    fleet's registry (O(fleet_registry)), checks the pulled image's labels the same way and refuses it, naming
    it, when they differ; a tag the registry lacks, and every image on a host outside a fleet, is built here
    from the context (written to O(build_dir)) with the labels set.
  - The work is done by the community.docker modules (C(docker_image_info), C(docker_image_pull),
    C(docker_image_tag), C(docker_image_remove), C(docker_image), C(docker_image_push)) and by
    M(fortytwo.inception.context_files) for the context (one call), run from this action plugin; the
    decisions are plain Python functions (plugins/plugin_utils/images.py), unit-tested.
  - Runs as an action plugin; this file holds its documentation.
options:
  name:
    description: The service, the image's repository.
    type: str
    required: true
  context:
    description: The C(context) of this service's plan entry (M(fortytwo.inception.service_plan)), its C(image) and C(files).
    type: dict
    required: true
  build_dir:
    description: Where the build context is written on the host, when the image is built.
    type: path
    required: true
  build_args:
    description: Build arguments (not part of the tag).
    type: dict
    default: {}
  engine_images:
    description:
      - The engine's images, as C(community.docker.docker_host_info) lists them with C(verbose_output)
        (C(RepoTags), C(Labels)), asked once for every service of the stack. Omitted, the engine is asked
        for this image alone.
    type: list
    elements: dict
  fleet_registry:
    description: The fleet's registry (C(host[:port])) this host pulls from; empty outside a fleet and on its builder.
    type: str
    default: ""
  push_to:
    description: A registry to push the image to once it is provided (the fleet's builder).
    type: str
    default: ""
  force:
    description: Build from the context again even when the engine holds our build, without the layer cache.
    type: bool
    default: false
  background:
    description:
      - Start a build in the background and return its job at once (C(job)), so that the images of a stack
        build side by side; wait for it with M(ansible.builtin.async_status).
    type: bool
    default: false
  timeout:
    description: Longest a background build may take, in seconds.
    type: int
    default: 1800
attributes:
  check_mode:
    description: The modules it runs are run in check mode.
    support: partial
    details: A build started in check mode builds nothing, so no image is provided and no job is returned.
  diff_mode:
    description: Gives no diff.
    support: none
author:
  - fortytwo.inception maintainers (@fortytwo)
"""

EXAMPLES = r"""
- name: Provide the image of mariadb
  fortytwo.inception.service_image:
    name: mariadb
    context: "{{ mariadb_context }}"
    build_dir: /opt/inception/build/mariadb
  register: mariadb_image
"""

RETURN = r"""
image:
  description: The image to run, C(<name>:<content tag>).
  returned: always
  type: str
  sample: mariadb:69222640e8c8
decision:
  description: What the engine's answer called for, C(keep), C(build), C(rebuild) (a tag held by something else) or C(pull).
  returned: always
  type: str
action:
  description: What was done, C(kept), C(pulled), C(built), C(rebuilt) or C(building) (a background build started).
  returned: always
  type: str
new:
  description: Whether the image is new to this host (built or pulled now), so its configuration is tested before it replaces a container.
  returned: always
  type: bool
job:
  description: The background build's job, for M(ansible.builtin.async_status); empty when none.
  returned: always
  type: str
image_id:
  description: The ID of the image built, when it was built in the foreground (M(fortytwo.inception.service_upgrade) reports it).
  returned: when built without O(background)
  type: str
pushed:
  description: Whether the push sent anything to O(push_to).
  returned: when O(push_to) is set
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    context=dict(type="dict", required=True),
    build_dir=dict(type="path", required=True),
    build_args=dict(type="dict", default={}),
    engine_images=dict(type="list", elements="dict"),
    fleet_registry=dict(type="str", default=""),
    push_to=dict(type="str", default=""),
    force=dict(type="bool", default=False),
    background=dict(type="bool", default=False),
    timeout=dict(type="int", default=1800),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="fortytwo.inception.service_image runs as an action plugin")


if __name__ == "__main__":
    main()
