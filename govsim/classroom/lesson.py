"""What the classroom page shows for one position of its controls: the paired comparison of
the regime as written and with the changes, its figures, and one household's journey.

Layer: interfaces. :func:`run_size` picks how many replications of how many days answer in a
few seconds; :func:`lesson` runs :func:`govsim.what_if` (the same seed for both, so the
differences are paired) and returns everything as plain JSON values, figures as PNG
``data:`` URIs, so the page needs nothing from outside this machine.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import math
import time
from collections.abc import Mapping
from typing import Any

from govsim.classroom.controls import Control, changes_from, controls_for
from govsim.errors import GovsimError, shown
from govsim.experiment.whatif import BASE, CHANGED, what_if
from govsim.lang import LANGS, metric_label
from govsim.measure.metrics import METRICS
from govsim.scenario import Scenario, display_names

__all__ = ["run_size", "lesson", "ROWS", "CASE_BUDGET"]

#: simulated cases per update, both runs together (about 3 to 6 seconds on one core here)
CASE_BUDGET = 40_000
MIN_REPLICATIONS, MAX_REPLICATIONS, MIN_DAYS = 3, 20, 30

#: the metrics of the comparison table, in order
ROWS = ("resolution_days_median", "resolved_share", "contacts_per_case", "units_per_case",
        "street_office_burden_yuan", "street_office_shifted_cost_yuan", "public_cost_yuan",
        "fix_money_yuan", "citizen_hours_per_case", "satisfied_share")

_RUNS = {"en": {BASE: "As written", CHANGED: "With your changes"},
         "zh": {BASE: "按文件取值", CHANGED: "修改后"}}
_STATES = {"en": {"resolved": "resolved", "abandoned": "gave up", "open": "still open"},
           "zh": {"resolved": "已解决", "abandoned": "已放弃", "open": "仍未解决"}}


def run_size(scenario: Scenario, replications: int | None = None,
             horizon_days: int | None = None, budget: int = CASE_BUDGET) -> tuple[int, int]:
    """``(replications, horizon_days)`` for one update of the page: as given, or chosen so that
    both runs together simulate about ``budget`` cases -- up to 20 replications of the
    scenario's horizon, then no fewer than 3 replications of a horizon shortened to fit (never
    below 30 days).

    Example::

        >>> import govsim
        >>> run_size(govsim.load_scenario("shanghai_leak"))
        (20, 4017)
    """
    written = scenario.world.horizon_days
    days = horizon_days or written
    reps = replications
    if reps is None:
        each = max(scenario.expected_cases(days), 1.0)
        reps = int(min(MAX_REPLICATIONS, max(MIN_REPLICATIONS, budget // (2 * each))))
    if horizon_days is None:
        rate = scenario.expected_cases(1) - scenario.expected_cases(0)
        if rate > 0 and 2 * reps * scenario.expected_cases(days) > budget:
            fitted = (budget / (2 * reps) - scenario.expected_cases(0)) / rate
            days = int(min(written, max(MIN_DAYS, fitted)))
    return int(reps), int(days)


def _num(x: Any) -> float | None:
    """A JSON number: NaN and infinities become ``None``."""
    x = float(x)
    return x if math.isfinite(x) else None


def _shown(x: float | None, unit: str, lang: str, difference: bool = False) -> str:
    """A number for reading: shares in percent (a difference of shares in percentage points),
    yuan and cases whole with separators (and no "-0": a difference that rounds to nothing
    has no sign)."""
    if x is None:
        return "–"
    if unit == "share":
        mark = "%" if not difference else ("个百分点" if lang == "zh" else " pp")
        text = f"{100 * x:.0f}{mark}" if abs(x) >= 0.1 else f"{100 * x:.1f}{mark}"
    elif unit in ("yuan", "cases") or abs(x) >= 1000:
        text = f"{x:,.0f}"
    else:
        text = f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def _table(cmp: Any, lang: str) -> list[dict[str, Any]]:
    summary = cmp.summary(list(ROWS)).set_index(["regime", "metric"])
    diffs = cmp.differences(list(ROWS)).set_index("metric")
    rows = []
    for metric in ROWS:
        unit = METRICS[metric][0]
        cells = {}
        for run in (BASE, CHANGED):
            s = summary.loc[(run, metric)]
            mean, lo, hi = _num(s["mean"]), _num(s["ci_low"]), _num(s["ci_high"])
            cells[run] = {"mean": mean, "low": lo, "high": hi, "text": _shown(mean, unit, lang),
                          "interval": f"{_shown(lo, unit, lang)} – {_shown(hi, unit, lang)}"
                          if lo is not None and hi is not None else ""}
        if cells[BASE]["mean"] is None and cells[CHANGED]["mean"] is None:
            continue
        d = diffs.loc[metric]
        mean, lo, hi = _num(d["mean_diff"]), _num(d["ci_low"]), _num(d["ci_high"])
        sign = "+" if mean is not None and mean > 0 else ""
        clear = lo is not None and hi is not None and (lo > 0 or hi < 0)
        rows.append({"metric": metric, "label": metric_label(metric, unit, lang),
                     "written": cells[BASE], "changed": cells[CHANGED],
                     "difference": {"mean": mean, "low": lo, "high": hi, "clear": clear,
                                    "text": sign + _shown(mean, unit, lang, True),
                                    "interval": f"{_shown(lo, unit, lang, True)} – "
                                                f"{_shown(hi, unit, lang, True)}"
                                    if lo is not None and hi is not None else ""}})
    return rows


def _png(fig: Any, dpi: int = 72) -> str:
    """A figure as a ``data:`` URI of a PNG (``Figure.savefig``: no pyplot here)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _journeys(cmp: Any, names: Any, drawn: str, lang: str,
              cache: dict[Any, Any]) -> dict[str, Any]:
    """The same household (the case of replication 0 with the most contacts as written) under
    both runs: a line of facts and a swimlane figure each (the run as written from ``cache``
    when it has it: it is the same whatever the controls say)."""
    import govsim
    from govsim.figures.swimlane import swimlane_figure

    cases = cmp.cases[cmp.cases["replication"] == 0]
    written = cases[cases["regime"] == BASE]
    if not len(written):
        return {}
    case = int(written.sort_values(["contacts", "case"], ascending=[False, True])
               .iloc[0]["case"])
    out: dict[str, Any] = {"case": case, "runs": {}}
    for run in (BASE, CHANGED):
        rows = cases[(cases["regime"] == run) & (cases["case"] == case)]
        if not len(rows):
            continue
        if run == BASE and (drawn, lang) in cache:
            out["runs"][run] = cache[drawn, lang]
            continue
        row = rows.iloc[0]
        journey = govsim.case_journey(cmp.events, case, 0, run, ledger=cmp.ledger,
                                      cases=cmp.cases, scenario=cmp.scenario)
        days = _num(row["resolution_days"]) if bool(row["resolved"]) else None
        state = _STATES[lang].get(str(row["state"]), str(row["state"]))
        if lang == "zh":
            facts = (f"{state}" + (f"，用时 {days:.0f} 天" if days is not None else "")
                     + f"；反映 {int(row['contacts'])} 次，经手单位 {int(row['units_touched'])} 个")
        else:
            contacts, units = int(row["contacts"]), int(row["units_touched"])
            facts = (f"{state}" + (f" after {days:.0f} days" if days is not None else "")
                     + f"; {contacts} contact{'s' * (contacts != 1)}, "
                       f"{units} unit{'s' * (units != 1)}")
        fig = swimlane_figure(journey, title=names.regime(run), lang=drawn, names=names)
        out["runs"][run] = {"facts": facts, "figure": _png(fig, 60)}
        if run == BASE:
            cache[drawn, lang] = out["runs"][run]
    out["category"] = names.category(str(written.set_index("case").loc[case, "category"]))
    return out


def lesson(scenario: Scenario, regime: str, values: Mapping[str, Any], lang: str = "en", *,
           replications: int | None = None, seed: int = 0,
           cache: dict[Any, Any] | None = None,
           controls: list[Control] | None = None) -> dict[str, Any]:
    """Everything the page shows for the controls at ``values`` (control name → position,
    :func:`~govsim.classroom.controls.changes_from`), as JSON values.

    ``scenario`` is run as given (its horizon already chosen, :func:`run_size`); the regime
    runs as written and with the changes on the same seed. Keys: ``table`` (one row per metric
    of :data:`ROWS` with both runs' means and intervals and the paired difference),
    ``figures`` (``survival``, ``costs``: PNG data URIs), ``journey`` (one household under both
    runs), ``changes`` (the key paths set), ``notes``, ``seconds``. ``cache``: a dict kept
    between calls for the same scenario, regime, replications and seed (what the run as written
    shows is drawn once); ``controls``: the regime's, if already worked out
    (:func:`~govsim.classroom.controls.controls_for`). Chinese figures need a font
    that draws Chinese; without one they are drawn in English and a note says so.

    Example::

        >>> import govsim
        >>> s = govsim.load_scenario("shanghai_leak")
        >>> out = lesson(s, "fragmented", {"fund_open.maintenance_fund": True}, replications=3)
        >>> out["changes"]
        {'world.funds.maintenance_fund.available': True}
    """
    from govsim.figures import plot_costs, plot_survival
    from govsim.figures.style import cjk_font

    started = time.monotonic()
    if lang not in LANGS:
        raise GovsimError(f"must be one of {', '.join(LANGS)}, got {shown(lang)}", "lang")
    if controls is None:
        controls = controls_for(scenario, regime, lang)
    changes = changes_from(controls, values)
    reps, _ = run_size(scenario, replications, scenario.world.horizon_days)
    notes = []
    drawn = lang
    if lang == "zh" and cjk_font() is None:
        drawn = "en"
        notes.append("本机没有能显示中文的字体，图中文字以英文显示（见 docs/classroom.md）。")
    cmp = what_if(scenario, changes, regime, replications=reps, seed=0 if seed is None else seed,
                  executor="serial")
    if not len(cmp.cases):
        raise GovsimError("no case arose in these runs: lengthen the horizon", "horizon_days")
    names = display_names(cmp.scenario, drawn)
    names = dataclasses.replace(names, regimes=_RUNS[drawn])
    ran = cmp.run_line(drawn)  # the horizon and the replications, under each title
    figures = {"survival": _png(plot_survival(cmp.cases, lang=drawn, names=names,
                                              subtitle=ran)),
               "costs": _png(plot_costs(cmp.units, cmp.metrics, lang=drawn, names=names,
                                        subtitle=ran))}
    return {"table": _table(cmp, lang), "figures": figures,
            "journey": _journeys(cmp, names, drawn, lang, {} if cache is None else cache), "changes": changes,
            "replications": reps, "horizon_days": scenario.world.horizon_days, "notes": notes,
            "seconds": round(time.monotonic() - started, 2)}
