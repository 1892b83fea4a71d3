"""`make verify` (tools/verify.py) checks the stack as it was deployed: the
extra variables `make LOGIN=... BONUS=yes` deployed it with reach the
playbook that says what the stack is meant to be (the tests' conftest)."""
import importlib.util
import json
import subprocess
from types import SimpleNamespace

from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("verify_tool", ROOT / "tools" / "verify.py")
verify_tool = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(verify_tool)


def test_make_verify_passes_the_login_and_bonus_it_was_deployed_with():
    dry = subprocess.run(["make", "--no-print-directory", "-n", "verify", "LOGIN=jdoe", "BONUS=yes",
                          "INVENTORY=vm.yml"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert ("tools/verify.py --inventory vm.yml -e inception_login=jdoe -e inception_domain=jdoe.42.fr "
            "-e inception_bonus=true") in " ".join(dry.split())
    plain = subprocess.run(["make", "--no-print-directory", "-n", "verify"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout
    assert " -e " not in plain


def test_verify_hands_its_extra_variables_to_the_checks(monkeypatch):
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs.get("env", {})))
        if command[0].endswith("/ansible"):
            answer = {"plays": [{"tasks": [{"hosts": {"localhost": {"ansible_become": False}}}]}]}
            return SimpleNamespace(returncode=0, stdout="header\n" + json.dumps(answer), stderr="")
        return SimpleNamespace(returncode=0)

    monkeypatch.setattr(verify_tool.subprocess, "run", run)
    assert verify_tool.main(["-e", "inception_login=jdoe", "--extra-vars", "inception_domain=jdoe.42.fr", "-x"]) == 0
    command, env = calls[-1]
    assert command[0].endswith("/pytest") and command[-1] == "-x"
    assert json.loads(env["INCEPTION_VERIFY_EXTRA_VARS"]) == ["inception_login=jdoe", "inception_domain=jdoe.42.fr"]
