"""Shared facts about the stack under test, read from molecule's inventory."""
import json
import os
import pathlib

import pytest
import yaml

SERVICES = ("nginx", "wordpress", "mariadb")


def _group_vars():
    ephemeral = pathlib.Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    return yaml.safe_load((ephemeral / "inventory" / "group_vars" / "inception").read_text())


@pytest.fixture(scope="session")
def stack():
    gv = _group_vars()
    ephemeral = pathlib.Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    secrets_dir = ephemeral / "secrets"
    secrets = {p.name: p.read_text().strip() for p in secrets_dir.iterdir()}
    prefix = gv["inception_name_prefix"]
    port = int(gv["inception_https_port"])
    return {
        "prefix": prefix,
        "domain": gv["inception_domain"],
        "port": port,
        "url": f"https://{gv['inception_domain']}:{port}",
        "data_dir": gv["inception_data_dir"],
        "project_dir": gv["inception_project_dir"],
        "network": f"{prefix}inception",
        "title": gv["wordpress_title"],
        "admin_user": gv["wordpress_admin_user"],
        "user": gv["wordpress_user"],
        "secrets": secrets,
        "log": ephemeral / "ansible.log",
        "cert": f"{gv['inception_project_dir']}/tls/{gv['inception_domain']}.crt",
    }


@pytest.fixture()
def inspect(host):
    def _inspect(*names, kind="container"):
        out = host.check_output(f"docker {kind} inspect {' '.join(names)}")
        data = json.loads(out)
        return data[0] if len(names) == 1 else data
    return _inspect


@pytest.fixture()
def container(stack, inspect):
    def _container(service):
        return inspect(stack["prefix"] + service)
    return _container
