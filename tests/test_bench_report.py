"""make bench's report (tools/bench.py): generated from a run's figures, kept
under docs/bench/ for the runs the documentation cites, never edited by hand."""
import importlib.util
import json
import pathlib
import sys
import tempfile

import pytest

from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("bench", ROOT / "tools" / "bench.py")
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)
RUNS = sorted((ROOT / "docs" / "bench").glob("bench-*.json"))


def test_some_run_is_kept():
    assert RUNS


@pytest.mark.parametrize("run", RUNS, ids=[run.stem for run in RUNS])
def test_each_kept_report_is_generated_from_its_figures(run):
    report = json.loads(run.read_text())
    text = bench.markdown(report, run.stem)
    assert run.with_suffix(".md").read_text() == text, "run `tools/bench.py --report` on it again"
    # Every goal is a row, with its verdict; the figures follow, as make bench prints them.
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| goal")]
    # A run of --releases-only has no goals, its releases only.
    assert len(rows) == len(report.get("goals", [])) > 0 or (not rows and report["releases"])
    for goal, row in zip(report.get("goals", []), rows):
        assert goal["goal"] in row and row.endswith({True: "met |", False: "**gap** |", None: "n/a |"}[goal["met"]])
    assert bench.table(report) in text and report["started"] in text


def test_the_releases_are_a_table_of_their_own_even_without_the_rest():
    figures = {"bookworm": {"vm": "inception-vm1", "debian": "12.12", "engine": "20.10.24+dfsg1",
                            "cold_converge_s": 300.5, "engine_restart_s": 12.0, "engine_up_to_healthy_s": 9.5,
                            "engine_restart_to_healthy_s": 21.5},
               "trixie": {"vm": "inception-vm2", "debian": "13.8", "engine": "26.1.5+dfsg1",
                          "cold_converge_s": 280.0, "engine_restart_s": 11.0, "engine_up_to_healthy_s": 3.2,
                          "engine_restart_to_healthy_s": 14.2}}
    text = bench.table({"releases": figures, "duration_s": 10})
    lines = text.splitlines()
    assert lines[0].startswith("releases")
    rows = [line.split() for line in lines[2:4]]
    assert rows[0][:3] == ["bookworm", "12.12", "20.10.24+dfsg1"] and rows[1][:3] == ["trixie", "13.8", "26.1.5+dfsg1"]
    assert lines[2].split()[3:] == ["300.5", "21.5", "9.5"] and lines[3].split()[3:] == ["280.0", "14.2", "3.2"]
    assert "serving" not in text


def test_the_bench_compares_the_vms_the_fresh_vm_scenario_declares():
    vms, engine = bench.fresh_vms()
    assert sorted(vms.values()) == ["bookworm", "trixie"]
    assert engine.startswith("unix:///") and engine.endswith("/docker.sock")


def test_the_module_calls_of_a_run_are_counted_exactly_by_module(tmp_path):
    # A run's calls on the host: two stat (a loop), a ping; an assert and a
    # set_fact run on the controller and are no module call.
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(json.dumps({"inception": {"hosts": {"here": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    play = tmp_path / "play.yml"
    play.write_text(json.dumps([{"hosts": "inception", "gather_facts": False, "tasks": [
        {"ansible.builtin.stat": {"path": "{{ item }}"}, "loop": ["/", "/tmp"]},
        {"ansible.builtin.ping": {}},
        {"ansible.builtin.assert": {"that": "true", "quiet": True}},
        {"ansible.builtin.set_fact": {"x": 1}}]}]))
    assert bench.module_calls(inventory, str(play), python=sys.executable) == {
        "total": 3, "by_module": {"stat": 2, "ping": 1}}
    # The wrapper and its notes are gone.
    assert not list(pathlib.Path(tempfile.gettempdir()).glob("bench-calls-*"))
