"""One case's journey through the city, step by step, in plain English.

Layer: measure. A teaching view of the event log: :func:`case_journey` picks one case out of a
:attr:`govsim.Results.events` table and lists what happened to it in time order, with a short
sentence per step; :func:`contacts_table` folds that list into one row per contact (filing).
:func:`govsim.figures.swimlane.plot_swimlane` draws it.

Given more of the run than its event log, the journey also says what the event log cannot:
the money each step moved (from the money ledger, :attr:`govsim.Results.ledger`), who was
invited to each meeting and how many came (from the scenario's escalation ladder and the cases
table), and whether each step fell within the city's office hours (from the scenario's
working-day calendar). :func:`journey_from` passes all of it from a :class:`govsim.Results`.

Example
-------
>>> res = govsim.run("scenarios/district.toml", replications=1)      # doctest: +SKIP
>>> worst = int(res.cases.sort_values("contacts").iloc[-1]["case"])    # doctest: +SKIP
>>> journey = case_journey(res.events, worst)                          # doctest: +SKIP
>>> journey = journey_from(res, worst)      # with money, meetings, office hours  # doctest: +SKIP
>>> contacts_table(journey)                                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from govsim.measure.journey_extras import (
    CASE_COLUMNS,
    LEDGER_COLUMNS,
    ladder,
    office_hours_mask,
    rows_of,
    step_amounts,
    step_meetings,
)
from govsim.recording import EVENT_COLUMNS
from govsim.scenario import Scenario  # at run time: typing.get_type_hints reads it

__all__ = [
    "CITIZEN",
    "DESCRIPTIONS",
    "JOURNEY_COLUMNS",
    "CONTACT_COLUMNS",
    "describe",
    "case_journey",
    "journey_from",
    "office_hours_mask",
    "contacts_table",
]

CASE, ACTIVITY, TIMESTAMP, RESOURCE = EVENT_COLUMNS

#: Lane name used for steps with no unit (``org:resource`` missing): the citizen's own steps.
CITIZEN = "citizen"
FUND = "fund"

#: Columns of the table returned by :func:`case_journey`, in order.
JOURNEY_COLUMNS = ("step", "time", "day", "contact", "unit", "activity", "what",
                   "amount_yuan", "invited", "attendees", "office_hours")
#: The columns :func:`contacts_table` needs (a journey table made by hand, or before the money,
#: meeting and office-hours columns were added, has them).
_CORE = JOURNEY_COLUMNS[:6]

#: Columns of the table returned by :func:`contacts_table`, in order.
CONTACT_COLUMNS = ("contact", "time", "day", "unit", "outcome", "units", "steps")

#: A short plain-English sentence per activity name (``concept:name``). Activities missing here
#: are described by their name with underscores replaced by spaces (see :func:`describe`).
DESCRIPTIONS: dict[str, str] = {
    "file": "the citizen files a complaint through this unit's channel",
    "ticket": "the unit opens a ticket",
    "deflect": "the unit says it is not theirs",
    "refer": "the case is passed to another unit, with no follow-up",
    "referral_lost": "the referral is lost: nobody acts on it",
    "surface_fix": "a cheap repair that will not hold",
    "recurrence": "the problem comes back",
    "stall": "the real fix waits for money nobody is obliged to pay",
    "false_closure": "the ticket is marked resolved but nothing is done",
    "escalate": "the citizen climbs to the next rung",
    "meeting": "a coordination meeting",
    "advance": "a unit advances money it does not owe",
    "recovery": "the advanced money is paid back",
    "resolved": "the problem is truly solved",
    "abandon": "the citizen gives up",
    "kb_answer": "answered on the spot from the knowledge base",
    "handoff": "handed to the organisation responsible (not a government duty)",
    "dispatch": "the centre sends the case to a unit",
    "sign": "the unit signs for the ticket",
    "return": "the unit sends the case back to the centre: not theirs",
    "contact": "the unit calls the citizen",
    "dispute": "the unit disputes that the case is theirs",
    "adjudicate": "the adjudication group names the owner, for good",
    "fund_release": "the missing money is released from its proper source",
    "callback": "the centre calls the citizen to rate the result",
    "reopen": "the case is reopened on the same tracking number",
    "finish": "the unit reports the ticket finished",
    "work_start": "a staff member starts the real fix",
    "call_abandoned": "the citizen hangs up before anyone answers the phone",
    "close_unresolved": "the unit closes the ticket without solving anything",
    "share_done": "a co-owner does its own share of the fix",
    "no_result": "the meeting ends without a result",
}

# What happens between two contacts (after one has ended, before the next filing is taken):
# neither an outcome of the contact nor the work of a unit that handled it. A call that nobody
# answers is logged before the filing it leads to, so it too falls between contacts.
_BETWEEN = frozenset({"recurrence", "escalate", "call_abandoned"})
# Steps that say how a contact went are its possible outcomes; these do not: the paperwork of
# a contact (file, ticket, sign, ...) and what happens between contacts.
_NOT_OUTCOMES = frozenset({
    "file", "ticket", "dispatch", "sign", "contact", "work_start", "finish", "callback", "reopen",
}) | _BETWEEN

#: Outcome of a contact with no outcome step yet (still being worked at the horizon).
OPEN_OUTCOME = "open"


def describe(activity: str, descriptions: Mapping[str, str] | None = None) -> str:
    """A plain-English sentence for one activity name.

    Parameters
    ----------
    activity:
        An activity name as in the event log's ``concept:name`` column.
    descriptions:
        The dictionary to look in (default :data:`DESCRIPTIONS`).

    Returns
    -------
    str
        The description, or ``activity`` with underscores replaced by spaces when it has none.
    """
    table = DESCRIPTIONS if descriptions is None else descriptions
    return table.get(activity, activity.replace("_", " "))


def _values(column: pd.Series) -> list[object]:
    """The distinct values present in ``column``, sorted (categories not present left out)."""
    present = pd.unique(column.dropna())
    try:
        return sorted(present)
    except TypeError:  # mixed types: sort by text
        return sorted(present, key=str)


def case_journey(events: pd.DataFrame, case: int, replication: int = 0,
                 regime: str | None = None, *, ledger: pd.DataFrame | None = None,
                 cases: pd.DataFrame | None = None,
                 scenario: Scenario | None = None) -> pd.DataFrame:
    """The ordered list of what happened to one case.

    Parameters
    ----------
    events:
        An events table as in :attr:`govsim.Results.events` (columns ``regime``,
        ``replication``, ``case:concept:name``, ``concept:name``, ``time:timestamp``,
        ``org:resource``). It need not be in time order.
    case:
        The case number (``case:concept:name``; unique within a replication).
    replication:
        The replication the case belongs to.
    regime:
        The regime to look in. May be left out when the table holds only one regime.
    ledger:
        The run's money ledger (:attr:`govsim.Results.ledger`), for ``amount_yuan``.
    cases:
        The run's cases table (:attr:`govsim.Results.cases`), for how many units came to
        meetings whose invitees may stay away (``attendees``).
    scenario:
        The scenario that was run (:attr:`govsim.Results.scenario`), for who was invited to
        each meeting (its regime's escalation ladder) and for the office hours and working
        days of its calendar (``office_hours``). Without it, office hours are the scenario
        default (08:30-17:30) on Monday to Friday, with no public holidays.

    Returns
    -------
    pandas.DataFrame
        One row per step, in time order (ties keep the order of recording), with columns

        ``step``
            1, 2, ..., n.
        ``time``
            the step's time stamp.
        ``day``
            days since the case's first ``file`` step (float; negative before it).
        ``contact``
            the filing this step belongs to: 1 from the first ``file`` step on, 2 from the
            second, and so on (0 before the first filing, e.g. calls nobody answered).
        ``unit``
            the unit involved, or ``"citizen"`` for steps without one (recurrence, giving up).
        ``activity``
            the activity name (``concept:name``).
        ``what``
            a short plain-English sentence (:data:`DESCRIPTIONS`).
        ``amount_yuan``
            the money the step moved, in yuan: a patch's cost (``surface_fix``), an advance
            (``advance``), the advance paid back (``recovery``), the money for the real fix
            (``fund_release``, ``share_done``, or ``resolved`` when the fixer paid as it
            finished); NaN where no money moved or without ``ledger``.
        ``invited``
            for a ``meeting`` step, the units invited to it (a tuple of names, the convener
            among them when the scenario lists it); None elsewhere or without ``scenario``.
        ``attendees``
            for a ``meeting`` step, how many units came (float); NaN elsewhere, or where the
            run's records do not tell (the cases table keeps the attendance of each case's
            meetings summed, so it is known for every meeting only where at most one of them
            may be missed by an invitee).
        ``office_hours``
            whether the step's time falls within office hours on a working day of the
            scenario's calendar (``world.calendar``: the official working-day clock of the
            model). A filing with ``False`` was made in the evening, at night, at a weekend or
            on a public holiday.

    Raises
    ------
    ValueError
        If the table is empty or lacks a column; if ``regime`` is needed (several regimes)
        or unknown; if the replication or the case is not in the table; if ``ledger`` or
        ``cases`` lacks a column, or ``scenario`` does not have the regime.

    Examples
    --------
    >>> import govsim
    >>> res = govsim.run("shanghai_leak", replications=1, seed=3, jobs=1)
    >>> journey = govsim.case_journey(res.events, case=0, scenario=res.scenario)
    >>> journey[["step", "unit", "activity"]].head(3)
       step              unit activity
    0     1  property_company     file
    1     2  property_company   ticket
    2     3  property_company    stall
    """
    missing = [c for c in ("replication", *EVENT_COLUMNS) if c not in events.columns]
    if missing:
        raise ValueError(
            "the events table lacks the column(s) " + ", ".join(repr(c) for c in missing)
            + "; pass Results.events")
    if events.empty:
        raise ValueError("the events table is empty: no case arose in the run, or it was made "
                         "with record_events=False")

    mask = np.ones(len(events), dtype=bool)
    if "regime" in events.columns:
        regimes = [str(r) for r in _values(events["regime"])]
        if regime is None:
            if len(regimes) > 1:
                raise ValueError(
                    "the events table holds several regimes (" + ", ".join(regimes)
                    + "); choose one with regime=...")
            regime = regimes[0] if regimes else None
        elif regime not in regimes:
            raise ValueError(
                f"regime {regime!r} is not in the events table; it holds "
                + ", ".join(regimes))
        else:
            mask &= (events["regime"] == regime).to_numpy(dtype=bool)
    elif regime is not None:
        raise ValueError("the events table has no 'regime' column; leave regime=None")

    rep = events["replication"].to_numpy()
    in_rep = mask & (rep == replication)
    if not in_rep.any():
        reps = sorted({int(r) for r in rep[mask]})
        shown = ", ".join(str(r) for r in reps[:20]) + (", ..." if len(reps) > 20 else "")
        raise ValueError(f"replication {replication} is not in the events table; "
                         f"it holds replication(s) {shown}")
    case_ids = events[CASE].to_numpy()
    sel = in_rep & (case_ids == case)
    if not sel.any():
        known = case_ids[in_rep]
        raise ValueError(f"case {case} is not in replication {replication} of the events table; "
                         f"its cases run from {known.min()} to {known.max()}")

    rows = events.loc[sel, [ACTIVITY, TIMESTAMP, RESOURCE]]
    rows = rows.sort_values(TIMESTAMP, kind="stable")
    time = pd.Series(pd.to_datetime(rows[TIMESTAMP]).to_numpy(), name="time")
    activity = rows[ACTIVITY].astype(object).astype(str).to_numpy()
    unit_raw = rows[RESOURCE].astype(object).to_numpy()
    # steps with no unit are the citizen's (recurrence, giving up) -- except money released
    # from its proper source, which is the fund's
    unit = np.array([
        (FUND if a == "fund_release" else CITIZEN) if pd.isna(u) else str(u)
        for u, a in zip(unit_raw, activity, strict=True)
    ], dtype=object)

    is_file = activity == "file"
    start = time[is_file].iloc[0] if is_file.any() else time.iloc[0]
    day = ((time - start) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    n = len(activity)
    where = (regime, replication, case)
    amount = step_amounts(activity, rows_of(ledger, "ledger", where, LEDGER_COLUMNS))
    case_row = rows_of(cases, "cases", where, CASE_COLUMNS)
    invited, attendees = step_meetings(activity, unit, case_row, ladder(scenario, regime))
    return pd.DataFrame({
        "step": np.arange(1, n + 1, dtype=np.int64),
        "time": time.to_numpy(),
        "day": day,
        "contact": np.cumsum(is_file).astype(np.int64),
        "unit": unit,
        "activity": activity,
        "what": [describe(a) for a in activity],
        "amount_yuan": amount,
        "invited": invited,
        "attendees": attendees,
        "office_hours": office_hours_mask(time, scenario),
    }, columns=list(JOURNEY_COLUMNS))


def journey_from(results: Any, case: int, replication: int = 0,
                 regime: str | None = None) -> pd.DataFrame:
    """:func:`case_journey` of one case of a run, with everything the run knows about it.

    Parameters
    ----------
    results:
        A :class:`govsim.Results` (or :class:`govsim.Comparison`): its ``events``,
        ``ledger``, ``cases`` and ``scenario`` are passed on.
    case, replication, regime:
        As in :func:`case_journey`.

    Returns
    -------
    pandas.DataFrame
        The journey, with ``amount_yuan``, ``invited``, ``attendees`` and ``office_hours``
        filled in.
    """
    return case_journey(results.events, case, replication, regime, ledger=results.ledger,
                        cases=results.cases, scenario=results.scenario)


def _outcome(activities: list[str]) -> str:
    for a in reversed(activities):
        if a not in _NOT_OUTCOMES:
            return a
    return OPEN_OUTCOME


def contacts_table(journey: pd.DataFrame) -> pd.DataFrame:
    """One row per contact (filing) of a journey.

    Parameters
    ----------
    journey:
        A table from :func:`case_journey`.

    Returns
    -------
    pandas.DataFrame
        Columns

        ``contact``
            1, 2, ... as in the journey.
        ``time``, ``day``
            when the citizen filed (time stamp, and days since the first filing).
        ``unit``
            the unit filed with.
        ``outcome``
            how the contact ended: its last step that is not paperwork (``file``, ``ticket``,
            ``dispatch``, ``sign``, ``contact``, ``work_start``, ``finish``, ``callback``,
            ``reopen``) nor something that happens between contacts (``recurrence``,
            ``escalate``, ``call_abandoned``): e.g. ``deflect``, ``surface_fix``, ``stall``,
            ``false_closure``, ``resolved``, ``abandon``; ``"open"`` when the contact has no
            such step yet. Activities unknown to this module count as outcomes.
        ``units``
            the units that handled the contact, in order of first appearance (a list of str;
            the citizen and the units of steps between contacts left out).
        ``steps``
            the number of steps of the contact.

    Steps before the first filing (contact 0; not produced by the model) are left out.
    """
    missing = [c for c in _CORE if c not in journey.columns]
    if missing:
        raise ValueError("not a journey table (missing " + ", ".join(missing)
                         + "); build one with case_journey")
    rows = []
    for number, part in journey[journey["contact"] > 0].groupby("contact", sort=True):
        acts = part["activity"].tolist()
        handled = part[~part["activity"].isin(_BETWEEN)]
        units = [u for u in dict.fromkeys(handled["unit"].tolist()) if u != CITIZEN]
        files = part[part["activity"] == "file"]
        first = files.iloc[0] if len(files) else part.iloc[0]
        rows.append({
            "contact": int(number),
            "time": first["time"],
            "day": float(first["day"]),
            "unit": first["unit"],
            "outcome": _outcome(acts),
            "units": units,
            "steps": len(part),
        })
    out = pd.DataFrame(rows, columns=list(CONTACT_COLUMNS))
    if out.empty:
        out = out.astype({"contact": np.int64, "day": float, "steps": np.int64})
        out["time"] = pd.to_datetime(out["time"])
    return out
