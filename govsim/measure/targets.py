"""Calibration targets: the case study's figures and how a simulation is held to them.

Layer: measure. A targets file (``calibration/targets.toml``) lists figures of the case study,
each with its source, its role (``emergent``, ``fitted``, ``input``, ``out_of_scope``), an
observation model (which simulated quantity, over which window) and how it is compared:

``statistic = "mean"``
    the mean over replications of the observed quantity, with a 95% confidence interval, must
    lie within ``tolerance`` of ``value`` (a district-scale figure);
``statistic = "rank"``
    the figure is one draw from the model's distribution (one household's leak): its mid-rank
    among the replications (the share below it plus half the share equal to it) must fall in
    ``rank_band``.

Observation kinds (each gives one number per replication; days count from ``world.start``):
``metric``, ``resolved_share``, ``count``, ``count_ratio``, ``contacts_per_day``,
``contacts_within_years``, ``years_to_first``, ``unrecovered_yuan`` and ``largest_meeting``;
what each observes, and its keys, is the table in ``docs/calibration.md`` ("The targets file").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.inputs import read_toml
from govsim.measure.metrics import FEASIBLE
from govsim.scenario import Scenario

__all__ = ["Target", "load_targets", "parse_targets", "observe", "check_against", "rank_of",
           "ROLES", "OBSERVATIONS"]

ROLES = ("emergent", "fitted", "input", "out_of_scope")
#: observation kind -> its keys besides ``kind`` (required, optional)
OBSERVATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "metric": (("metric",), ()),
    "resolved_share": (("from_day", "to_day"), ()),
    "count": (("from_day", "to_day"), ("category_kind",)),
    "count_ratio": (("base", "later"), ("category_kind",)),
    "contacts_per_day": (("unit", "from_day", "to_day"), ()),
    "contacts_within_years": (("years",), ()),
    "years_to_first": (("activity",), ()),
    "unrecovered_yuan": ((), ()),
    "largest_meeting": ((), ()),
}
_KEYS = {"name", "scenario", "regime", "value", "source", "role", "statistic", "tolerance",
         "rank_band", "observe", "note", "informs"}
_DAY = 86_400.0
_YEAR_DAYS = 365.25


@dataclass(frozen=True)
class Target:
    """One figure of the case study and how a simulation is compared with it."""

    name: str
    scenario: str
    regime: str
    value: float
    source: str
    role: str
    statistic: str
    observe: Mapping[str, Any]
    tolerance: float = math.nan
    rank_band: tuple[float, float] = (0.0, 1.0)
    note: str = ""
    informs: tuple[str, ...] = field(default=())

    @property
    def counts(self) -> bool:
        """Whether the target enters a calibration's distance (emergent and fitted ones)."""
        return self.role in ("emergent", "fitted")

    @property
    def bounds(self) -> tuple[float, float]:
        """What the observed quantity can be, to clip its intervals to: a metric's feasible
        range (:data:`govsim.measure.metrics.FEASIBLE`), [0, 1] for a share; every other kind
        (counts, ratios of counts, years, yuan, units at a meeting) is >= 0."""
        kind = self.observe.get("kind")
        if kind == "metric":
            return FEASIBLE.get(str(self.observe.get("metric")), (-math.inf, math.inf))
        return (0.0, 1.0) if kind == "resolved_share" else (0.0, math.inf)


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file (see the module's docstring)."""
    data = read_toml(path, "targets file", "targets")
    return parse_targets(data)


def parse_targets(data: Mapping[str, Any]) -> list[Target]:
    """Check a parsed targets table; a problem is a :class:`GovsimError` at its key path
    (``target[2].observe.metric``)."""
    if not isinstance(data, Mapping):
        raise GovsimError(f"a targets table must be a table of [[target]], got "
                          f"{type(data).__name__}", "target")
    extra = set(data) - {"target"}
    if extra:
        raise GovsimError("unknown key", sorted(str(k) for k in extra)[0])
    rows = data.get("target")
    if not isinstance(rows, list) or not rows:
        raise GovsimError("a targets file lists at least one [[target]]", "target")
    out: list[Target] = []
    names: set[str] = set()
    for i, row in enumerate(rows):
        t = _target(row, f"target[{i}]")
        if t.name in names:
            raise GovsimError(f"target {t.name!r} is listed twice", f"target[{i}].name")
        names.add(t.name)
        out.append(t)
    return out


def _target(row: Any, at: str) -> Target:
    if not isinstance(row, Mapping):
        raise GovsimError("must be a table", at)
    for key in row:
        if key not in _KEYS:
            raise GovsimError("unknown key", f"{at}.{key}")
    for key in ("name", "scenario", "regime", "source", "role", "statistic"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise GovsimError("required text is missing", f"{at}.{key}")
    if row["role"] not in ROLES:
        raise GovsimError(f"must be one of {', '.join(ROLES)}", f"{at}.role")
    value = _number(row.get("value"), f"{at}.value")
    statistic = row["statistic"]
    tolerance, band = math.nan, (0.0, 1.0)
    if statistic == "mean":
        tolerance = _number(row.get("tolerance"), f"{at}.tolerance")
        if tolerance < 0:
            raise GovsimError("must be >= 0", f"{at}.tolerance")
    elif statistic == "rank":
        raw = row.get("rank_band")
        if not (isinstance(raw, list) and len(raw) == 2):
            raise GovsimError("must be [low, high], shares from 0 to 1", f"{at}.rank_band")
        band = (_number(raw[0], f"{at}.rank_band[0]"), _number(raw[1], f"{at}.rank_band[1]"))
        if not 0.0 <= band[0] < band[1] <= 1.0:
            raise GovsimError("must be [low, high] with 0 <= low < high <= 1", f"{at}.rank_band")
    else:
        raise GovsimError("must be 'mean' or 'rank'", f"{at}.statistic")
    informs = row.get("informs", [])
    if not isinstance(informs, list):
        raise GovsimError("must be a list of PATH=LOW:HIGH", f"{at}.informs")
    for j, spec in enumerate(informs):
        path, eq, bounds = spec.partition("=") if isinstance(spec, str) else ("", "", "")
        low, colon, high = bounds.partition(":")
        try:
            ok = bool(path and eq and colon) and math.isfinite(float(low)) \
                and math.isfinite(float(high)) and float(low) < float(high)
        except ValueError:
            ok = False
        if not ok:
            raise GovsimError(f"must be PATH=LOW:HIGH with finite LOW < HIGH, got "
                              f"{shown(spec)}", f"{at}.informs[{j}]")
    note = row.get("note", "")
    if not isinstance(note, str):
        raise GovsimError(f"must be text, got {shown(note)}", f"{at}.note")
    return Target(name=row["name"], scenario=row["scenario"], regime=row["regime"], value=value,
                  source=row["source"], role=row["role"], statistic=statistic,
                  observe=_observation(row.get("observe"), f"{at}.observe"),
                  tolerance=tolerance, rank_band=band, note=note,
                  informs=tuple(informs))


def _number(value: Any, at: str) -> float:
    try:
        ok = not isinstance(value, bool) and isinstance(value, int | float) \
            and math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        ok = False
    if not ok:
        raise GovsimError(f"must be a finite number, got {shown(value)}", at)
    return float(value)


def _observation(obs: Any, at: str) -> dict[str, Any]:
    if not isinstance(obs, Mapping):
        raise GovsimError("must be a table with a 'kind'", at)
    kind = obs.get("kind")
    if not isinstance(kind, str) or kind not in OBSERVATIONS:
        raise GovsimError(f"unknown kind {shown(kind)}; expected one of "
                          f"{', '.join(OBSERVATIONS)}", f"{at}.kind")
    required, optional = OBSERVATIONS[kind]
    for key in obs:
        if key != "kind" and key not in required + optional:
            raise GovsimError(f"unknown key for kind {kind!r}", f"{at}.{key}")
    for key in required:
        if key not in obs:
            raise GovsimError(f"kind {kind!r} needs it", f"{at}.{key}")
    out = dict(obs)
    for key in ("metric", "activity", "unit", "category_kind"):
        if key in out and (not isinstance(out[key], str) or not out[key]):
            raise GovsimError(f"must be a name, got {shown(out[key])}", f"{at}.{key}")
    if "from_day" in out:
        lo, hi = _number(out["from_day"], f"{at}.from_day"), _number(out["to_day"], f"{at}.to_day")
        if lo < 0:
            raise GovsimError("must be >= 0", f"{at}.from_day")
        if not lo < hi:
            raise GovsimError("must be after from_day", f"{at}.to_day")
    for key in ("base", "later"):
        if key in out:
            win = out[key]
            if not (isinstance(win, list) and len(win) == 2):
                raise GovsimError("must be [from_day, to_day] with 0 <= from_day < to_day",
                                  f"{at}.{key}")
            lo, hi = _number(win[0], f"{at}.{key}[0]"), _number(win[1], f"{at}.{key}[1]")
            if not 0 <= lo < hi:
                raise GovsimError("must be [from_day, to_day] with 0 <= from_day < to_day",
                                  f"{at}.{key}")
    if kind == "metric":
        from govsim.measure.metrics import METRICS
        if out["metric"] not in METRICS:
            raise GovsimError(f"unknown metric {shown(out['metric'])}", f"{at}.metric")
    if kind == "years_to_first":
        from govsim.model.log import ACTIVITIES
        if out["activity"] not in ACTIVITIES:
            raise GovsimError(f"unknown activity {shown(out['activity'])}",
                              f"{at}.activity")
    if kind == "contacts_within_years" and _number(out["years"], f"{at}.years") <= 0:
        raise GovsimError("must be > 0", f"{at}.years")
    return out


# ----------------------------------------------------------------------- observation models
def observe(target: Target, scenario: Scenario, cases: pd.DataFrame, events: pd.DataFrame,
            metrics: pd.DataFrame) -> np.ndarray:
    """The target's quantity in each replication of one regime's results (``cases``,
    ``events`` and ``metrics`` of the target's regime only). Returns one value per replication,
    in replication order."""
    obs = target.observe
    kind = obs["kind"]
    world = scenario.world
    reps = np.sort(metrics["replication"].unique())
    if kind == "metric":
        m = metrics.set_index("replication")[obs["metric"]]
        return m.reindex(reps).to_numpy(dtype=float)
    day = _days(cases["first_filing"], world.start)
    by_rep = cases["replication"].to_numpy()

    def per_rep(mask: np.ndarray, values: np.ndarray | None = None, how: str = "sum") -> np.ndarray:
        out = np.full(len(reps), np.nan if how == "mean" else 0.0)
        for k, r in enumerate(reps):
            sel = mask & (by_rep == r)
            if how == "sum":
                out[k] = sel.sum() if values is None else values[sel].sum()
            elif sel.any():
                out[k] = float(np.mean(values[sel]))  # type: ignore[index]
        return out

    def window(lo: float, hi: float) -> np.ndarray:
        inside = (day >= lo) & (day < hi)
        if obs.get("category_kind"):
            names = [n for n, c in world.categories.items() if c.kind == obs["category_kind"]]
            inside &= cases["category"].isin(names).to_numpy()
        return inside

    if kind == "resolved_share":
        inside = window(obs["from_day"], obs["to_day"])
        return per_rep(inside, cases["resolved"].to_numpy(dtype=float), "mean")
    if kind == "count":
        return per_rep(window(obs["from_day"], obs["to_day"]))
    if kind == "count_ratio":
        base = per_rep(window(*obs["base"]))
        later = per_rep(window(*obs["later"]))
        return np.divide(later, base, out=np.full(len(reps), np.nan), where=base > 0)
    if kind == "unrecovered_yuan":
        values = (cases["advanced_yuan"] - cases["recovered_yuan"]).to_numpy(dtype=float)
        return per_rep(np.ones(len(cases), dtype=bool), values, "mean")
    if kind == "largest_meeting":
        held = cases["meetings"].to_numpy() > 0
        return per_rep(held, cases["largest_meeting"].to_numpy(dtype=float), "mean")
    if kind == "contacts_per_day":
        return _contacts_per_day(obs, events, reps, world.start)
    if kind == "contacts_within_years":
        return _per_case_events(cases, events, reps, "file", obs["years"])
    if kind == "years_to_first":
        return _per_case_events(cases, events, reps, obs["activity"], None)
    raise AssertionError(kind)  # pragma: no cover - checked when the file was read


def check_against(targets: Sequence[Target], scenario: Scenario) -> None:
    """Raise :class:`GovsimError` unless every target's names exist in ``scenario`` (its
    regime, and any unit or category kind an observation names)."""
    kinds = {c.kind for c in scenario.world.categories.values()}
    for t in targets:
        at = f"target {t.name!r}"
        if t.regime not in scenario.regimes:
            raise GovsimError(f"{at}: scenario {scenario.name!r} has no regime {t.regime!r}",
                              "targets")
        unit = t.observe.get("unit")
        if unit is not None and unit not in scenario.world.units:
            raise GovsimError(f"{at}: scenario {scenario.name!r} has no unit {unit!r}", "targets")
        kind = t.observe.get("category_kind")
        if kind is not None and kind not in kinds:
            raise GovsimError(f"{at}: scenario {scenario.name!r} has no category of kind "
                              f"{kind!r}", "targets")
        horizon = scenario.world.horizon_days
        years = t.observe.get("years", t.value if t.observe["kind"] == "years_to_first" else None)
        if years is not None:
            _followed_long_enough(t, scenario, float(years))
        ends = [t.observe[k][1] for k in ("base", "later") if k in t.observe]
        ends += [t.observe["to_day"]] if "to_day" in t.observe else []
        if any(end > horizon for end in ends):
            raise GovsimError(f"{at}: its window ends on day {max(ends):g}, after the horizon "
                              f"of scenario {scenario.name!r} ({horizon} days)", "targets")


def _days(stamps: pd.Series, start: Any) -> np.ndarray:
    origin = np.datetime64(pd.Timestamp(start).to_datetime64(), "ms")
    return (stamps.to_numpy(dtype="datetime64[ms]") - origin).astype(np.int64) / (_DAY * 1000.0)


def _followed_long_enough(t: Target, scenario: Scenario, years: float) -> None:
    """A per-case observation over ``years`` after the first filing needs every case to be
    followed that long: only problems on given dates (a case study), each at least that long
    before the horizon. Otherwise late cases would be cut off (censored) and counted as if
    they had ended."""
    w = scenario.world
    if any(c.rate_per_day > 0 for c in w.categories.values()):
        raise GovsimError(f"target {t.name!r} follows each case for {years:g} years, which only "
                          "a case-study scenario (problems on given dates only, no "
                          "rate_per_day) allows", "targets")
    last = max((d for c in w.categories.values() for d in c.arrivals), default=w.start)
    followed = w.horizon_days - (last - w.start).days - 1
    if followed < years * _YEAR_DAYS:
        raise GovsimError(f"target {t.name!r} follows each case for {years:g} years, but the "
                          f"last problem arises {followed / _YEAR_DAYS:.2f} years before the "
                          f"horizon of scenario {scenario.name!r}: lengthen the horizon",
                          "targets")


def _contacts_per_day(obs: Mapping[str, Any], events: pd.DataFrame, reps: np.ndarray,
                      start: Any) -> np.ndarray:
    if not len(events):
        raise GovsimError("this target needs the event log; run with events recorded",
                          "observe.kind")
    lo, hi = obs["from_day"], obs["to_day"]
    files = events[(events["concept:name"] == "file") & (events["org:resource"] == obs["unit"])]
    day = _days(files["time:timestamp"], start)
    inside = (day >= lo) & (day < hi)
    by_rep = files["replication"].to_numpy()
    return np.array([np.sum(inside & (by_rep == r)) / (hi - lo) for r in reps], dtype=float)


def _per_case_events(cases: pd.DataFrame, events: pd.DataFrame, reps: np.ndarray,
                     activity: str, within_years: float | None) -> np.ndarray:
    """Mean over each replication's cases of: the number of ``activity`` events within
    ``within_years`` of the case's first filing, or (``within_years`` None) the years to its
    first ``activity`` event (inf if none)."""
    if not len(events):
        raise GovsimError("this target needs the event log; run with events recorded",
                          "observe.kind")
    key = ["replication", "case"]
    first = cases.set_index(key)["first_filing"]
    ev = events[events["concept:name"] == activity]
    ev_key = pd.MultiIndex.from_arrays([ev["replication"].to_numpy(),
                                        ev["case:concept:name"].to_numpy()], names=key)
    origin = first.reindex(ev_key).to_numpy(dtype="datetime64[ms]")
    years = ((ev["time:timestamp"].to_numpy(dtype="datetime64[ms]") - origin)
             .astype(np.int64) / (_DAY * 1000.0 * _YEAR_DAYS))
    frame = pd.DataFrame({"replication": ev_key.get_level_values(0),
                          "case": ev_key.get_level_values(1), "years": years})
    if within_years is not None:
        per_case = frame[frame["years"] < within_years].groupby(key).size()
        values = per_case.reindex(first.index, fill_value=0).to_numpy(dtype=float)
    else:
        per_case = frame.groupby(key)["years"].min()
        values = per_case.reindex(first.index).to_numpy(dtype=float)
        values = np.where(np.isnan(values), np.inf, values)
    rep_of = first.index.get_level_values(0).to_numpy()
    return np.array([np.mean(values[rep_of == r]) if (rep_of == r).any() else np.nan
                     for r in reps])


def rank_of(value: float, draws: Sequence[float]) -> tuple[float, float]:
    """The share of ``draws`` below ``value`` and the share at or below it."""
    d = np.asarray(draws, dtype=float)
    d = d[~np.isnan(d)]
    if not len(d):
        return math.nan, math.nan
    return float(np.mean(d < value)), float(np.mean(d <= value))
