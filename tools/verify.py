"""`make verify`: check a provisioned stack against the Inception subject,
read-only, and print a defense-style report per host.

Runs the stack's mandatory checks (molecule/default/tests/test_stack.py:
containers, PID 1, ports, TLS versions, users, volumes, secrets not leaked,
the site answering) with pytest-testinfra against every host of the
inventory's `inception` group, over the connection Ansible uses (local for
this machine, SSH for a VM). What each host's stack is meant to be comes from
playbooks/verify.yml (the preflight: read-only). Nothing on the hosts changes.

Usage: python tools/verify.py [--inventory PATH] [-e VAR=VALUE...] [pytest options...]
(-e: the extra variables the stack was deployed with, e.g. `make LOGIN=jdoe`'s
inception_login and inception_domain; `make verify LOGIN=jdoe` passes them.)
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", default=str(ROOT / "inventory" / "hosts.yml"),
                        help="the inventory whose hosts to check (default: inventory/hosts.yml)")
    parser.add_argument("-e", "--extra-vars", action="append", default=[],
                        help="an extra variable the stack was deployed with (as ansible-playbook -e takes it)")
    args, pytest_args = parser.parse_known_args(argv)
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
           "ANSIBLE_CONFIG": os.environ.get("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg")),
           "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"), "ANSIBLE_NOCOLOR": "1"}
    # testinfra reads ansible_become as the inventory writes it, and this
    # machine's inventory computes it (sudo unless root): ask Ansible what it
    # comes to, and tell testinfra when no host needs it.
    asked_env = {**env, "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}
    asked = subprocess.run([str(BIN / "ansible"), "inception", "-i", args.inventory, "-m", "ansible.builtin.debug",
                            "-a", "var=ansible_become"], env=asked_env,
                           cwd=ROOT, check=False, capture_output=True, text=True)
    if asked.returncode != 0:
        sys.exit(f"verify: Ansible cannot reach the hosts of {args.inventory}:\n{asked.stdout[-2000:]}{asked.stderr[-2000:]}")
    answers = json.JSONDecoder().raw_decode(asked.stdout[asked.stdout.index("\n{") + 1:])[0]["plays"][0]["tasks"][0]["hosts"]
    if not any(str(answer.get("ansible_become")).lower() in ("true", "yes", "1") for answer in answers.values()):
        env["ANSIBLE_BECOME"] = ""
    # The checks are those of `make verify`, not of a molecule scenario's
    # verify step (an inventory made by molecule still finds its files).
    for name in ("MOLECULE_SCENARIO_NAME", "ANSIBLE_LOG_PATH", "ANSIBLE_FORCE_COLOR"):
        env.pop(name, None)
    # What the stack is meant to be is read with them (tests' conftest: values).
    env["INCEPTION_VERIFY_EXTRA_VARS"] = json.dumps(args.extra_vars)
    command = [str(BIN / "pytest"), "-p", "no:cacheprovider", "-q", "-rfE", "--color=no",
               "--hosts=ansible://inception", f"--ansible-inventory={pathlib.Path(args.inventory).resolve()}",
               "--connection=ansible", str(ROOT / "molecule" / "default" / "tests" / "test_stack.py"), *pytest_args]
    print(f"verify: checking the hosts of {args.inventory} (read-only)", flush=True)
    return subprocess.run(command, cwd=ROOT / "molecule" / "default", env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
