"""The event log as IEEE XES: its structure, and (with the mining extra) pm4py reading it."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import govsim
from govsim.errors import GovsimError
from govsim.report.xes import XES_EXTENSIONS
from tests._factory import category, consolidated, fragmented, scenario

NS = {"x": "http://www.xes-standard.org/"}


@pytest.fixture(scope="module")
def results():
    s = scenario({"f": fragmented(), "c": consolidated()}, horizon_days=20, categories={
        "a": category(rate_per_day=3.0), "b": category(rate_per_day=2.0, label="B & <b>")})
    return govsim.compare(s, ["f", "c"], replications=2, seed=3, executor="serial")


def _attrs(node: ET.Element) -> dict[str, str]:
    return {child.get("key"): child.get("value") for child in node
            if child.tag != f"{{{NS['x']}}}event"}


def test_the_xes_file_has_the_standard_structure(results, tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    n = results.to_xes(path)
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{NS['x']}}}log" and root.get("xes.version") == "1849-2016"
    declared = {(e.get("name"), e.get("prefix"), e.get("uri"))
                for e in root.findall("x:extension", NS)}
    assert declared == set(XES_EXTENSIONS)
    assert {g.get("scope") for g in root.findall("x:global", NS)} == {"trace", "event"}
    traces = root.findall("x:trace", NS)
    ev = results.events
    keys = ev[["regime", "replication", "case:concept:name"]].astype(str).drop_duplicates()
    assert len(traces) == n == len(keys)
    assert sum(len(t.findall("x:event", NS)) for t in traces) == len(ev)
    names = set()
    for t in traces:
        a = _attrs(t)
        names.add(a["concept:name"])
        assert a["concept:name"] == f"{a['regime']}/{a['replication']}/{a['case']}"
        mine = ev[(ev["regime"].astype(str) == a["regime"])
                  & (ev["replication"] == int(a["replication"]))
                  & (ev["case:concept:name"] == int(a["case"]))]
        events = t.findall("x:event", NS)
        stamps = [e.find("x:date", NS).get("value") for e in events]
        assert stamps == sorted(stamps)  # each trace in time order
        acts = sorted(e.find("x:string[@key='concept:name']", NS).get("value") for e in events)
        assert acts == sorted(mine["concept:name"].astype(str))
        for e in events:
            assert e.find("x:string[@key='lifecycle:transition']", NS).get("value") == "complete"
        case = results.cases[(results.cases["regime"].astype(str) == a["regime"])
                             & (results.cases["replication"] == int(a["replication"]))
                             & (results.cases["case"] == int(a["case"]))]
        assert a["category"] == str(case["category"].item())
    assert len(names) == len(traces)
    # times round-trip to the millisecond
    first = traces[0].find("x:event/x:date", NS).get("value")
    assert np.datetime64(first) >= np.datetime64(results.cases["first_filing"].min())


def test_no_event_log_no_xes(tmp_path: Path) -> None:
    s = scenario({"f": fragmented()}, horizon_days=5)
    res = govsim.run(s, replications=1, seed=1, record_events=False, executor="serial")
    with pytest.raises(GovsimError):
        res.to_xes(tmp_path / "x.xes")
    assert not (tmp_path / "x.xes").exists()


def test_pm4py_reads_it_and_finds_the_process(results, tmp_path: Path) -> None:
    if os.environ.get("GOVSIM_REQUIRE_MINING", "") not in ("", "0"):  # CI: it must run
        import pm4py
    else:
        pm4py = pytest.importorskip("pm4py")
    path = tmp_path / "log.xes"
    results.to_xes(path)
    log = pm4py.read_xes(str(path))
    assert len(log) == len(results.events)
    dfg, start, end = pm4py.discover_dfg(log)
    assert "file" in start and dfg


def test_compare_writes_xes_with_format_xes(tmp_path: Path, capsys) -> None:
    from govsim.cli import main
    from govsim.scenario import scenario_toml

    s = scenario({"f": fragmented(), "c": consolidated()}, horizon_days=5)
    path = tmp_path / "s.toml"
    path.write_text(scenario_toml(s))
    out = tmp_path / "out"
    assert main(["compare", str(path), "-n", "2", "-j", "1", "--out", str(out),
                 "--format", "xes"]) == 0
    names = {p.name for p in out.iterdir()}
    assert "events.xes" in names and "events.csv" not in names and "cases.csv" in names
    root = ET.parse(out / "events.xes").getroot()
    assert root.findall("x:trace", NS)
    # no event log, no XES: refused before anything runs or is written
    bad = tmp_path / "never"
    assert main(["compare", str(path), "-n", "2", "--out", str(bad), "--format", "xes",
                 "--no-events"]) == 2
    assert "--format" in capsys.readouterr().err and not bad.exists()
