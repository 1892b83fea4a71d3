"""make bench's report (tools/bench.py): generated from a run's figures, kept
under docs/bench/ for the runs the documentation cites, never edited by hand."""
import importlib.util
import json

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
    assert len(rows) == len(report["goals"]) > 0
    for goal, row in zip(report["goals"], rows):
        assert goal["goal"] in row and row.endswith({True: "met |", False: "**gap** |", None: "n/a |"}[goal["met"]])
    assert bench.table(report) in text and report["started"] in text
