"""Empty results are results (issue 19, probe 3 and part of 8).

A valid scenario in which no case arises (every category's rate 0: it passes ``govsim
validate``) runs to tables with no rows, figures that say "no cases" in their axes, an XES
file with no traces, and a report page -- never a KeyError or a raw ValueError, never an
empty folder left behind.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import govsim
import govsim.figures as gp
import govsim.measure.figure_tables as ft
from govsim.errors import GovsimError
from govsim.figures.style import EMPTY
from govsim.report.xes import event_log_kept
from govsim.scenario import load_scenario, scenario_toml, with_values
from tests.test_cli import cli

matplotlib.use("Agg")

NS = {"x": "http://www.xes-standard.org/"}
REGIMES = ["fragmented", "consolidated"]
RUN = ["-n", "2", "--horizon-days", "5", "-j", "1"]
NO_CASES, NO_LIGHTS, NO_VALUES = (EMPTY[k][0] for k in ("cases", "lights", "values"))


def _zero() -> govsim.Scenario:
    """The district with every category's rate 0 (no dated problems either): no case."""
    s = load_scenario("district")
    assert not any(c.arrivals for c in s.world.categories.values())
    values: dict[str, object] = {f"world.categories.{k}.rate_per_day": 0.0
                                 for k in s.world.categories}
    values["world.horizon_days"] = 5
    return with_values(s, values)


@pytest.fixture(scope="module")
def zero() -> govsim.Scenario:
    return _zero()


@pytest.fixture(scope="module")
def zero_file(zero, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("zero") / "zero.toml"
    path.write_text(scenario_toml(zero), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def results(zero):
    return govsim.compare(zero, REGIMES, replications=2, seed=0, executor="serial")


def _said(fig) -> set[str]:  # type: ignore[no-untyped-def]
    """Every text in the figure's axes."""
    return {t.get_text() for ax in fig.axes for t in ax.texts}


def test_the_scenario_is_valid(zero_file: Path, capsys) -> None:
    code, out, err = cli(["validate", str(zero_file)], capsys)
    assert code == 0, err
    assert "0.0 cases a day" in out


def test_tables_have_no_rows_but_every_column(results) -> None:
    assert len(results.cases) == 0 and len(results.events) == 0 and len(results.ledger) == 0
    assert {"regime", "replication", "case", "duration_days", "resolved"} <= set(results.cases)
    assert event_log_kept(results.events)  # an empty log, not none
    assert (results.metrics["cases"] == 0).all() and len(results.metrics) == 4
    assert set(results.summary()["regime"]) == set(REGIMES)
    assert len(results.differences()) > 0
    assert "Many hotlines" in results.table() and "fragmented" in results.table(lang="keys")


def test_to_xes_writes_a_log_with_no_traces(results, tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    assert results.to_xes(path) == 0
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{NS['x']}}}log" and root.findall("x:trace", NS) == []


def test_no_event_log_kept_is_still_refused(zero, tmp_path: Path) -> None:
    res = govsim.run(zero, replications=1, record_events=False, executor="serial")
    assert not event_log_kept(res.events)
    with pytest.raises(GovsimError) as caught:
        res.to_xes(tmp_path / "log.xes")
    assert caught.value.path == "events" and "record_events" in caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "compare"])
def test_format_xes_writes_every_table_and_an_empty_log(command: str, zero_file: Path,
                                                        tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    extra = ["--regimes", ",".join(REGIMES)] if command == "compare" else []
    code, _, err = cli([command, str(zero_file), "--out", str(out), "--format", "xes", *extra,
                        *RUN], capsys)
    assert code == 0, err
    assert "Traceback" not in err
    names = {p.name for p in out.iterdir()}
    assert {"cases.csv", "events.xes", "units.csv", "metrics.csv", "summary.csv"} <= names
    assert ET.parse(out / "events.xes").getroot().findall("x:trace", NS) == []
    cases = pd.read_csv(out / "cases.csv")
    assert len(cases) == 0 and "duration_days" in cases


@pytest.mark.parametrize("decomposition", [False, True])
def test_report_of_no_cases(decomposition: bool, zero_file: Path, tmp_path: Path,
                            capsys) -> None:
    out = tmp_path / "r.html"
    flags = ["--orders", "2"] if decomposition else ["--no-decomposition"]
    code, _, err = cli(["report", str(zero_file), "--out", str(out), "--regimes",
                        ",".join(REGIMES), *flags, *RUN], capsys)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert page.count("<figure>") >= 4  # survival, costs, workload, process maps
    assert ("No decomposition" in page) is not decomposition


def test_report_api_of_no_cases(zero) -> None:
    page = govsim.make_report(zero, REGIMES, replications=2, executor="serial", orders=2)
    assert page.decomposition is not None and len(page.comparison.cases) == 0
    assert page.html.startswith("<!DOCTYPE html>")


def test_every_figure_says_no_cases(results) -> None:
    names = results.names()
    figures = {
        "survival": gp.plot_survival(results.cases, names=names),
        "costs": gp.plot_costs(results.units, results.metrics, names=names),
        "workload": gp.plot_workload(results.units, names=names),
        "process map": gp.plot_process_map(results.events, "fragmented", names=names),
        "process map, all": gp.plot_process_map(results.events),
    }
    for what, fig in figures.items():
        assert NO_CASES in _said(fig), what
        fig.canvas.draw()  # it draws, too
    lights = gp.plot_lights(results.lights, names=names)
    assert NO_LIGHTS in _said(lights)
    lights.canvas.draw()


def test_the_figure_tables_have_no_rows(results) -> None:
    survival = ft.survival_table(results.cases)
    assert len(survival) == 0 and list(survival) == ["regime", "day", "mean", "ci_low",
                                                     "ci_high", "n"]
    assert len(ft.directly_follows(results.events)) == 0
    costs = ft.cost_table(results.units, results.metrics)  # salaried capacity still costs
    assert set(costs["regime"]) == set(REGIMES)
    assert (ft.workload_table(results.units)["tickets"] == 0).all()


def test_waterfall_of_no_cases(zero) -> None:
    dec = govsim.decompose(zero, "fragmented", "consolidated", replications=2, orders=2,
                           executor="serial")
    for metric in dec.totals["metric"]:
        fig = gp.plot_waterfall(dec.contributions, dec.totals, metric, dec.source, dec.target)
        undefined = dec.totals.set_index("metric")["source"].isna()[metric]
        assert (NO_VALUES in _said(fig)) is bool(undefined), metric
        fig.canvas.draw()


def test_sweep_figure_of_no_cases(zero, tmp_path: Path) -> None:
    from govsim.experiment import Experiment, sweep

    exp = Experiment(zero, factors={"world.units.street_office.staff": [1, 2]},
                     replications=2, regimes=REGIMES)
    res = sweep(exp, tmp_path / "sweep", executor="serial")
    summary = res.summary(["resolution_days_median"])
    assert summary["mean"].isna().all()
    fig = gp.plot_sweep(summary, "world.units.street_office.staff", "resolution_days_median")
    assert NO_VALUES in _said(fig)
    fig.canvas.draw()
