"""Tables for a lesson about one case: the model's ingredients, the history most like the real
one, the key moments of a journey, and where the case study's figures fall.

Layer: measure. Pure functions of a scenario and of a run's tables (nothing here runs a
simulation; :mod:`govsim.experiment.lesson` does), written for the classroom notebook
``notebooks/03_classroom_shanghai_vs_shishi.ipynb`` and usable on any case-study scenario with
one case per replication, such as the shipped ``shanghai_leak``.

Example
-------
>>> leak = govsim.compare("shanghai_leak", replications=20, seed=1)     # doctest: +SKIP
>>> years = years_until(leak.cases, leak.events, "advance")             # doctest: +SKIP
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.lang import activity_name, check_lang
from govsim.measure.casestudy import DAYS_PER_YEAR, share_below
from govsim.scenario.names import display_names

if TYPE_CHECKING:
    from govsim.scenario import Scenario

__all__ = ["Ingredient", "LEAK_INGREDIENTS", "ingredients", "years_until", "most_like",
           "first_report", "KEY_MOMENTS", "key_moments", "ReportSteps", "report_steps",
           "outcome_counts", "CASE_STUDY_FIGURES", "where_figures_fall", "verdict"]


@dataclass(frozen=True)
class Ingredient:
    """One row of :func:`ingredients`: what it is, how to read it off a scenario, and where
    its value comes from (``seed``: a fact of the case study; ``fitted``; ``assumption``)."""

    label: str
    value: Callable[[Scenario], Any]
    source: str


def _names(items: Sequence[Any], sep: str = ", ") -> str:
    return sep.join(str(getattr(item, "name", item)) for item in items)


def _unit(s: Scenario, key: str) -> str:
    return display_names(s, "en").unit(key)


def _last_meeting(s: Scenario) -> Any:
    meetings = [rung.meeting for rung in s.regimes["fragmented"].escalation if rung.meeting]
    return meetings[-1]


def _limits(s: Scenario) -> str:
    lim = s.regimes["consolidated"].limits
    return f"{lim.sign_days:g} / {lim.contact_days:g} / {lim.finish_days:g}"


def _deflection(s: Scenario) -> str:
    d = s.regimes["fragmented"].deflection
    return f"{d.refer_prob} ({d.referral_lost_prob})"


#: the shipped ``shanghai_leak`` scenario's main ingredients, as the classroom notebook shows
#: them (each read off the scenario, so a changed file shows its own values)
LEAK_INGREDIENTS: tuple[Ingredient, ...] = (
    Ingredient("the leak arises on",
               lambda s: s.world.categories["roof_leak"].arrivals[0],
               "seed: 2006 (the month is an assumption)"),
    Ingredient("who owns the roof",
               lambda s: ", ".join(_unit(s, u) for u in s.world.categories["roof_leak"].owners),
               "seed"),
    Ingredient("maintenance fund open?",
               lambda s: s.world.funds["maintenance_fund"].available, "seed: never opened"),
    Ingredient("cost of the real fix (yuan)",
               lambda s: f"{s.world.categories['roof_leak'].fix_cost_yuan:,.0f}",
               "seed: the 90,000+ yuan shortfall"),
    Ingredient("chance the owner patches instead",
               lambda s: s.world.categories["roof_leak"].surface_fix_prob,
               "fitted (seed: patched many times)"),
    Ingredient("a patch holds for (days, on average)",
               lambda s: s.world.categories["roof_leak"].surface_fix_holds_days, "fitted"),
    Ingredient("months the leak can come back",
               lambda s: ", ".join(calendar.month_name[m]
                                   for m in s.world.categories["roof_leak"].recurs_in_months),
               "assumption: the rainy months"),
    Ingredient("household waits before trying again (days)",
               lambda s: s.world.citizens.patience_days, "fitted"),
    Ingredient("household's readiness to go higher, per failure",
               lambda s: s.world.citizens.escalate_prob, "fitted"),
    Ingredient("a false 'solved' is noticed after (days)",
               lambda s: s.world.citizens.false_closure_discovery_days,
               "seed: more than half a year"),
    Ingredient("MANY HOTLINES: channels", lambda s: _names(s.regimes["fragmented"].channels),
               "seed: the five channels"),
    Ingredient("chance a unit passes it on (and the referral is lost)", _deflection,
               "assumption"),
    Ingredient("chance a stalled ticket is marked solved",
               lambda s: s.regimes["fragmented"].false_closure_prob,
               "assumption (seed: a false 'solved')"),
    Ingredient("escalation ladder", lambda s: _names(s.regimes["fragmented"].escalation, " -> "),
               "seed"),
    Ingredient("units invited to the coordination meeting",
               lambda s: len(_last_meeting(s).attendees),
               "seed: 14 (ten named, four added by the model)"),
    Ingredient("who advances the missing money",
               lambda s: _unit(s, s.regimes["fragmented"].funding.advancer),
               "seed: the street office"),
    Ingredient("chance the advance is ever repaid",
               lambda s: s.regimes["fragmented"].funding.recovery_prob,
               "assumption (seed: not repaid nearly 3 years on)"),
    Ingredient("12345: dispatch within (working days)",
               lambda s: s.regimes["consolidated"].dispatch_within_working_days, "seed"),
    Ingredient("12345: sign / contact / finish within (working days)", _limits, "seed"),
    Ingredient("12345: where the money comes from",
               lambda s: (f"the fund is made to pay after "
                          f"{s.regimes['consolidated'].funding.release_working_days:g} "
                          f"working days"),
               "assumption: the case study does not say"),
)


def ingredients(scenario: Scenario,
                rows: Sequence[Ingredient] = LEAK_INGREDIENTS) -> pd.DataFrame:
    """A scenario's main ingredients, one row each: its value and where it comes from.

    ``rows`` (default :data:`LEAK_INGREDIENTS`, made for ``shanghai_leak``) says what to
    show. Returns a table indexed by ``ingredient`` with columns ``value`` and ``source``; a
    :class:`GovsimError` at ``scenario`` names a row the scenario has nothing for.

    Example
    -------
    >>> ingredients(govsim.load_scenario("shanghai_leak")).loc["who owns the roof", "value"]
    ... # doctest: +SKIP
    'Property company'
    """
    out = []
    for row in rows:
        try:
            value = row.value(scenario)
        except (KeyError, AttributeError, IndexError, TypeError) as exc:
            raise GovsimError(f"has nothing for the ingredient {row.label!r} ({exc!r}); "
                              f"these rows are made for another scenario", "scenario") from exc
        out.append((row.label, value, row.source))
    return pd.DataFrame(out, columns=["ingredient", "value", "source"]).set_index("ingredient")


def years_until(cases: pd.DataFrame, events: pd.DataFrame, activity: str,
                regime: str = "fragmented") -> pd.Series:
    """Years from the first filing to the first ``activity`` step, per replication of
    ``regime`` (NaN where it never happened within the horizon).

    Made for a case-study scenario with one case per replication: the first filing and the
    first step are each the earliest of the replication.

    Example
    -------
    >>> years_until(leak.cases, leak.events, "advance")  # the coordination meeting's advance
    ... # doctest: +SKIP
    """
    if not len(events):
        raise GovsimError("is empty: run with record_events=True to know when steps happened",
                          "events")
    mine = cases[cases["regime"] == regime]
    if not len(mine):
        raise GovsimError(f"no cases of regime {regime!r}", "regime")
    first = mine.groupby("replication")["first_filing"].min()
    steps = events[(events["regime"] == regime) & (events["concept:name"] == activity)]
    when = steps.groupby("replication")["time:timestamp"].min().reindex(first.index)
    years = (when - first).dt.total_seconds() / (DAYS_PER_YEAR * 86400)
    return years.rename(f"years_to_{activity}")


def most_like(table: pd.DataFrame, targets: Mapping[str, float]) -> Any:
    """The index label of the row of ``table`` closest to ``targets`` (column -> value), by
    the sum of relative distances ``|x - target| / |target|``; rows with a missing value in
    a target column are not candidates, and the first of equally close rows wins.

    Example
    -------
    >>> most_like(pd.DataFrame({"reports": [90, 125], "years": [7.0, 7.4]}),
    ...           {"reports": 121, "years": 7.3})
    1
    """
    if not targets:
        raise GovsimError("must name at least one column and its value", "targets")
    missing = [c for c in targets if c not in table]
    if missing:
        raise GovsimError(f"no column {missing[0]!r} in the table "
                          f"(columns: {', '.join(map(str, table.columns))})", "targets")
    score = pd.Series(0.0, index=table.index)
    for column, target in targets.items():
        scale = abs(float(target)) or 1.0
        score = score + (table[column].astype(float) - float(target)).abs() / scale
    score = score.dropna()
    if not len(score):
        raise GovsimError("no row has a value in every target column", "table")
    return score.idxmin()


def first_report(journey: pd.DataFrame, activity: str | None = "file",
                 unit: str | None = None) -> int | None:
    """The number of the first report (contact) of ``journey`` with a step of ``activity``
    (any activity if ``None``) at ``unit`` (any unit if ``None``); ``None`` if there is none.

    Example
    -------
    >>> first_report(journey, "false_closure")   # the first false 'solved'  # doctest: +SKIP
    """
    steps = journey
    if activity is not None:
        steps = steps[steps["activity"] == activity]
    if unit is not None:
        steps = steps[steps["unit"] == unit]
    steps = steps[steps["contact"] > 0]
    return int(steps["contact"].iloc[0]) if len(steps) else None


#: the key moments of a leak's history under many hotlines: (title, activity, unit); a rung of
#: the ladder is the first report filed with its unit
KEY_MOMENTS: tuple[tuple[str, str | None, str | None], ...] = (
    ("the first report", "file", None),
    ("a referral nobody acts on", "referral_lost", None),
    ("'not ours'", "deflect", None),
    ("a ticket closed with nothing done", "close_unresolved", None),
    ("a patch, and the leak comes back", "surface_fix", None),
    ("a false 'solved'", "false_closure", None),
    ("up the ladder: the residents' committee convenes, without money", "file",
     "residents_committee"),
    ("the newspaper", "file", "newspaper"),
    ("the anti-malpractice office's meeting: the street office pays", "advance", None),
)


def key_moments(journey: pd.DataFrame,
                moments: Sequence[tuple[str, str | None, str | None]] = KEY_MOMENTS
                ) -> list[tuple[str, int]]:
    """``(title, report number)`` of each moment of ``moments`` that happened in
    ``journey``, in the order of the reports (see :func:`first_report`).

    Example
    -------
    >>> for title, k in key_moments(journey):                     # doctest: +SKIP
    ...     print(title, report_steps(journey, contacts, k))
    """
    found = [(title, first_report(journey, activity, unit)) for title, activity, unit in moments]
    kept = [(title, k) for title, k in found if k is not None]
    return sorted(kept, key=lambda item: item[1])


@dataclass(frozen=True, repr=False)
class ReportSteps:
    """Every step of one report of a journey (:func:`report_steps`); shows itself as a title
    and a table in a notebook, as text in a terminal."""

    number: int
    reports: int
    title: str
    steps: pd.DataFrame

    def __str__(self) -> str:
        return f"{self.title}\n{self.steps.to_string()}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f"<p><b>{self.title}</b></p>{self.steps.to_html()}"


def _unit_words(unit: str) -> str:
    return str(unit).replace("_", " ")


def report_steps(journey: pd.DataFrame, contacts: pd.DataFrame, k: int,
                 lang: str = "en") -> ReportSteps:
    """Report ``k`` of a journey: when and where it was filed, how it ended, and every step
    (day counted from the first report, unit, what happened and what it means).

    Parameters
    ----------
    journey, contacts:
        :func:`govsim.measure.journey.journey_from` and
        :func:`~govsim.measure.journey.contacts_table` of one case.
    k:
        The report's number, from 1.
    lang:
        How the outcome is named (:func:`govsim.lang.activity_name`).

    Example
    -------
    >>> report_steps(journey, contacts_table(journey), 20)      # doctest: +SKIP
    """
    check_lang(lang)
    numbers = contacts["contact"].astype(int)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or int(k) not in set(numbers):
        span = f"1 to {len(contacts)}" if len(contacts) else "none"
        raise GovsimError(f"must be the number of a report of this history ({span}), got {k!r}",
                          "k")
    row = contacts[numbers == int(k)].iloc[0]
    title = (f"Report {int(k)} of {len(contacts)}: day {row['day']:,.0f} "
             f"({row['time']:%d %B %Y}), filed with the {_unit_words(row['unit'])}; "
             f"it ended in: {activity_name(row['outcome'], lang)}")
    steps = journey[journey["contact"] == int(k)]
    table = steps[["day", "unit", "activity", "what"]].round({"day": 1}).set_index("day")
    return ReportSteps(number=int(k), reports=len(contacts), title=title, steps=table)


def outcome_counts(contacts: pd.DataFrame, lang: str = "en") -> pd.Series:
    """How the reports of a journey ended, most frequent first, each outcome named in
    ``lang`` (``"keys"``: as the event log names it).

    Example
    -------
    >>> outcome_counts(contacts_table(journey))              # doctest: +SKIP
    """
    check_lang(lang)
    counts = contacts["outcome"].value_counts()
    counts.index = [activity_name(o, lang) for o in counts.index]
    return counts.rename("reports").rename_axis("how the report ended")


#: the case study's figures the leak's histories are set against: (figure, value, role)
CASE_STUDY_FIGURES: tuple[tuple[str, float, str], ...] = (
    ("reports within six years", 121, "fitted: not evidence"),
    ("years to the coordination meeting", 7.3, "fitted: not evidence"),
    ("units at the meeting", 14, "input: the invitation list has 14"),
    ("yuan advanced and not repaid", 90_000, "input: the fix costs 90,000"),
)


def where_figures_fall(outcomes: pd.DataFrame, meeting_years: pd.Series,
                       regime: str = "fragmented") -> pd.DataFrame:
    """For each of :data:`CASE_STUDY_FIGURES`, the share of simulated histories below it
    (and at or below it, which matters for counts).

    Parameters
    ----------
    outcomes:
        :func:`govsim.measure.casestudy.case_outcomes` of the run (with the event log, so
        ``reports_by`` is known).
    meeting_years:
        :func:`years_until` of ``"advance"``: a history with no meeting counts as later than
        any figure.
    regime:
        The regime whose histories are counted.

    Example
    -------
    >>> where_figures_fall(case_outcomes(leak.cases, leak.events),
    ...                    years_until(leak.cases, leak.events, "advance"))  # doctest: +SKIP
    """
    mine = outcomes[outcomes["regime"] == regime]
    if not len(mine):
        raise GovsimError(f"no histories of regime {regime!r}", "regime")
    met = mine["meeting_held"] > 0
    simulated = {
        "reports within six years": mine["reports_by"],
        "years to the coordination meeting": meeting_years.fillna(np.inf),
        "units at the meeting": mine.loc[met, "largest_meeting"],
        "yuan advanced and not repaid": mine["unrecovered_yuan"],
    }
    rows = []
    for figure, value, role in CASE_STUDY_FIGURES:
        below, at_or_below = share_below(np.asarray(simulated[figure], dtype=float), value)
        rows.append({"figure": figure, "case study": value, "share of histories below": below,
                     "below or equal": at_or_below, "what it can tell us": role})
    return pd.DataFrame(rows).set_index("figure")


def verdict(mean: float, low: float, high: float) -> str:
    """A paired difference and its interval in words, for a student: ``"no difference"``
    (exactly 0, as when nothing was changed), ``"higher"`` or ``"lower"`` when the interval
    excludes 0, ``"cannot be told from chance"`` when it includes 0 (or there is none).

    Example
    -------
    >>> verdict(-85_000.0, -95_000.0, -75_000.0)
    'lower'
    >>> verdict(-9_800.0, -21_900.0, 2_400.0)
    'cannot be told from chance'
    """
    values = [float(x) for x in (mean, low, high)]
    if any(math.isnan(x) for x in values):
        return "n/a" if math.isnan(values[0]) else "cannot be told from chance"
    mean, low, high = values
    if mean == 0 and low == 0 and high == 0:
        return "no difference"
    if low > 0:
        return "higher"
    if high < 0:
        return "lower"
    return "cannot be told from chance"
