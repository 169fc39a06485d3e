"""Per-replication metrics: the comparison's currency.

Layer: measure. :func:`replication_metrics` turns one replication's tables into one row of
numbers; :data:`METRICS` names and explains each. A metric that a regime cannot produce (for
example deadline breaches under rules that set no deadlines) is NaN, and the statistics skip it.
A rule group may add metrics of its own (:attr:`govsim.scenario.rules.RuleGroup.metrics`): they
follow govsim's in :data:`METRICS` and in every row.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.scenario.rules import GROUPS
from govsim.stats.survival import km_quantile, km_rmst

__all__ = ["METRICS", "HEADLINE", "FEASIBLE", "CASE_COLUMNS", "RULE_METRICS",
           "replication_metrics"]

#: the restriction of ``resolution_days_rmst30``, in days
RMST_DAYS = 30.0

#: metric name → (unit, meaning)
METRICS: dict[str, tuple[str, str]] = {
    "cases": ("cases", "problems that arose during the horizon"),
    "resolution_days_median": (
        "days", "Kaplan-Meier median time from first filing to true resolution; unresolved "
        "cases (open or abandoned) are censored at the horizon"),
    "resolution_days_p90": ("days", "Kaplan-Meier 90th percentile of the same (NaN if not reached)"),
    "resolution_days_rmst30": (
        "days", "Kaplan-Meier restricted mean of the same up to 30 days: the mean days to true "
        "resolution when a case still unresolved after 30 days counts as 30 (the area under the "
        "survival curve; defined where the median is not, and moved by the tail; NaN when "
        "nobody was followed for 30 days)"),
    "resolved_share": ("share", "cases truly resolved by the horizon"),
    "abandoned_share": ("share", "cases whose citizen gave up"),
    "open_share": ("share", "cases still open at the horizon"),
    "contacts_per_case": ("contacts", "filings per case (calls, visits, letters)"),
    "tickets_per_case": ("tickets", "unit tickets opened per case"),
    "units_per_case": ("units", "distinct units that handled the case"),
    "escalated_share": ("share", "cases whose citizen climbed at least one rung"),
    "surface_fixes_per_case": ("repairs", "surface fixes per case"),
    "street_office_burden_yuan": (
        "yuan", "the street office's whole burden: every staff-hour it spent on cases (valued at "
        "its hourly cost) and every yuan it paid, net of recovered advances, each counted once "
        "in one of three parts -- its own duty, duty assigned to it by adjudication, and cost "
        "shifted onto it (unrecovered advances included); their sum"),
    "street_office_own_duty_yuan": (
        "yuan", "... (a) its own duty: its share of the time and money on cases of categories it "
        "owns from the start (all of a category it owns alone, 1/n of one shared by n owners)"),
    "street_office_assigned_duty_yuan": (
        "yuan", "... (c) duty assigned to it by adjudication: its time and money on cases of a "
        "category a ruling made its own, from the ruling on (0 where nothing was ruled to it)"),
    "street_office_assigned_duty_hours": (
        "hours", "staff-hours part of the duty assigned to it by adjudication"),
    "street_office_shifted_cost_yuan": (
        "yuan", "... (b) money and staff time (valued at its hourly cost) the street office spent "
        "on cases it does not own -- and the others' share of cases it owns only in part -- net "
        "of recovered advances; the sum of the five parts below"),
    "street_office_shifted_handling_yuan": (
        "yuan", "... part 1: handling filings and tickets it does not own (intake, deflecting, "
        "returning, fixing others' share: staff time valued) and money other than advances"),
    "street_office_shifted_meeting_yuan": (
        "yuan", "... part 2: its staff's time at coordination meetings on cases it does not own"),
    "street_office_shifted_advance_yuan": (
        "yuan", "... part 3: advances it paid and was not repaid (the burden's money advanced and "
        "not recovered, counted here only)"),
    "street_office_shifted_adjudication_yuan": (
        "yuan", "... part 4: its time in the adjudication group on cases it does not own"),
    "street_office_shifted_other_yuan": (
        "yuan", "... part 5: anything else (supervision of red lights, answering calls)"),
    "street_office_shifted_money_yuan": ("yuan", "money part of the shifted cost"),
    "street_office_shifted_hours": ("hours", "staff-hours part of the shifted cost"),
    "public_cost_yuan": (
        "yuan", "staff cost of public units (salaried units for every open hour, others for the "
        "hours worked) plus money paid by public payers -- public units and public funds -- net"),
    "fix_money_yuan": (
        "yuan", "money spent on fixes (real and surface, advances net of recoveries) by every "
        "payer, public or not, funds included"),
    "fund_money_yuan": ("yuan", "the part of fix money paid from funds"),
    "cost_per_resolved_case_yuan": ("yuan", "public cost divided by the cases truly resolved"),
    "citizen_hours_per_case": (
        "hours", "the citizen's own time: hours per contact (world.citizens) times contacts, "
        "plus waits on the line"),
    "citizen_cost_yuan": (
        "yuan", "all citizens' own time valued at world.citizens.value_of_time_yuan_per_hour"),
    "open_cases": ("cases", "cases still open at the horizon (neither resolved nor abandoned)"),
    "staff_hours": ("hours", "staff-hours worked by all units"),
    "deadline_breach_share": (
        "share", "dispatched cases with at least one breached working-day limit (NaN where the "
        "rules set no limits)"),
    "satisfied_share": ("share", "resolved cases resolved within the citizen's tolerance"),
    "reply_share": (
        "share", "cases whose citizen got a reply: an answer at intake, a call from the owner, or "
        "a hand-off to an organisation that did the job (NaN where the rules have no reply step)"),
    "callback_satisfaction": (
        "share", "cases rated satisfied at their (last) satisfaction callback, among cases called back"),
    "suggestion_adoption_share": ("share", "adopted suggestions among answered suggestions"),
}

#: the metrics the rule groups add (:attr:`govsim.scenario.rules.RuleGroup.metrics`), after
#: govsim's own in every table
RULE_METRICS = tuple(m for g in GROUPS for m in g.metrics)
if clash := [m.name for m in RULE_METRICS if m.name in METRICS]:
    raise GovsimError(f"a rule group's metric has the name of one of govsim's own: {clash[0]!r}",
                      "govsim.rules")
METRICS.update({m.name: (m.unit, m.meaning) for m in RULE_METRICS})

#: each metric's feasible range: shares lie in [0, 1]; every other metric (counts, times, costs,
#: hours -- costs net of recovered advances included, since a recovery repays an advance of the
#: same case) is >= 0. Confidence intervals are clipped to it (:func:`govsim.stats.intervals.mean_ci`).
FEASIBLE: dict[str, tuple[float, float]] = {
    name: (0.0, 1.0) if unit == "share" else (0.0, float("inf"))
    for name, (unit, _) in METRICS.items()
}

#: the metrics shown by default in tables
HEADLINE = [
    "resolution_days_median",
    "resolution_days_rmst30",
    "resolved_share",
    "contacts_per_case",
    "units_per_case",
    "street_office_burden_yuan",
    "street_office_own_duty_yuan",
    "street_office_assigned_duty_yuan",
    "street_office_shifted_cost_yuan",
    "street_office_shifted_handling_yuan",
    "street_office_shifted_meeting_yuan",
    "street_office_shifted_advance_yuan",
    "street_office_shifted_adjudication_yuan",
    "street_office_shifted_other_yuan",
    "street_office_shifted_hours",
    "public_cost_yuan",
    "fix_money_yuan",
    "fund_money_yuan",
    "cost_per_resolved_case_yuan",
    "citizen_hours_per_case",
    "open_cases",
    "deadline_breach_share",
    "satisfied_share",
    "reply_share",
    "callback_satisfaction",
    "suggestion_adoption_share",
]
HEADLINE += [m.name for m in RULE_METRICS]  # a rule group's own metrics, after govsim's


#: the columns of the ``cases`` table that govsim's own metrics read
CASE_COLUMNS = ("resolved", "duration_days", "state", "callback_rating", "adopted", "replied",
                "dispatches", "contacts", "tickets", "units_touched", "top_rung", "surface_fixes",
                "citizen_hours", "citizen_cost_yuan", "breaches", "satisfied")


def replication_metrics(cases: pd.DataFrame | Mapping[str, pd.Series], units: pd.DataFrame,
                        has_limits: bool,
                        has_reply: bool | None = None,
                        ledger: pd.DataFrame | None = None) -> dict[str, float]:
    """The metrics of one replication of one regime.

    Parameters
    ----------
    cases, units:
        That replication's tables (see :mod:`govsim.recording`); ``cases`` may be only the
        columns of :data:`CASE_COLUMNS`, as Series (:func:`govsim.recording.summary`), unless
        a rule group adds metrics, which read the whole table.
    has_limits:
        Whether the regime sets working-day limits (otherwise the breach share is NaN).
    has_reply:
        Whether the regime's routing has a reply step (a dispatched owner calls the citizen;
        otherwise the reply share is NaN). Default: ``has_limits``.
    ledger:
        The replication's money ledger (needed for money paid by funds; without it, only
        units' money is counted).
    """
    resolved = cases["resolved"].to_numpy()
    n = len(resolved)
    duration = cases["duration_days"].to_numpy()
    street = units[units["kind"] == "street_office"]
    street_cost = street["hourly_cost_yuan"]
    public = units[units["public"]]
    if n:
        median = km_quantile(duration, resolved, 0.5)
        p90 = km_quantile(duration, resolved, 0.9)
        rmst = km_rmst(duration, resolved, RMST_DAYS)
    else:
        median = p90 = rmst = float("nan")
    state = cases["state"]
    rating = cases["callback_rating"].to_numpy()
    adopted = cases["adopted"].to_numpy(dtype=float)
    replied = cases["replied"].to_numpy()
    dispatched = cases["dispatches"].to_numpy() > 0

    def street_hours_yuan(column: str) -> float:
        return float((street[column] * street_cost).sum())

    parts = {
        "meeting": street_hours_yuan("shifted_meeting_hours"),
        "advance": float(street["shifted_advance_yuan"].sum()),
        "adjudication": street_hours_yuan("shifted_adjudication_hours"),
        "other": street_hours_yuan("shifted_other_hours"),
    }
    shifted = float(street["shifted_cost_yuan"].sum())
    own = street_hours_yuan("own_hours") + float(street["own_money_yuan"].sum())
    assigned = street_hours_yuan("assigned_hours") + float(street["assigned_money_yuan"].sum())
    if ledger is not None:
        amount = ledger["amount_yuan"].to_numpy(dtype=float)
        from_fund = ledger["payer"].astype(str).str.startswith("fund:").to_numpy()
        public_money = float(amount[ledger["payer_public"].to_numpy(dtype=bool)].sum())
        fix_money = float(amount.sum())
        fund_money = float(amount[from_fund].sum())
    else:
        public_money = float(public["money_paid_yuan"].sum())
        fix_money = float(units["money_paid_yuan"].sum())
        fund_money = float("nan")
    public_cost = float(public["capacity_cost_yuan"].sum()) + public_money
    n_resolved = int(resolved.sum())
    out = {
        "cases": float(n),
        "resolution_days_median": median,
        "resolution_days_p90": p90,
        "resolution_days_rmst30": rmst,
        "resolved_share": _mean(resolved),
        "abandoned_share": _mean((state == "abandoned").to_numpy()),
        "open_share": _mean((state == "open").to_numpy()),
        "contacts_per_case": _mean(cases["contacts"].to_numpy()),
        "tickets_per_case": _mean(cases["tickets"].to_numpy()),
        "units_per_case": _mean(cases["units_touched"].to_numpy()),
        "escalated_share": _mean(cases["top_rung"].to_numpy() > 0),
        "surface_fixes_per_case": _mean(cases["surface_fixes"].to_numpy()),
        # the whole burden is the sum of its three parts (a), (b), (c), each computed directly
        "street_office_burden_yuan": own + shifted + assigned,
        "street_office_own_duty_yuan": own,
        "street_office_assigned_duty_yuan": assigned,
        "street_office_assigned_duty_hours": float(street["assigned_hours"].sum()),
        "street_office_shifted_cost_yuan": shifted,
        # handling is what the other four parts leave, so the parts add up to the total
        "street_office_shifted_handling_yuan": shifted - sum(parts.values()),
        "street_office_shifted_meeting_yuan": parts["meeting"],
        "street_office_shifted_advance_yuan": parts["advance"],
        "street_office_shifted_adjudication_yuan": parts["adjudication"],
        "street_office_shifted_other_yuan": parts["other"],
        "street_office_shifted_money_yuan": float(street["shifted_money_yuan"].sum()),
        "street_office_shifted_hours": float(street["shifted_hours"].sum()),
        "public_cost_yuan": public_cost,
        "fix_money_yuan": fix_money,
        "fund_money_yuan": fund_money,
        "cost_per_resolved_case_yuan": public_cost / n_resolved if n_resolved else float("nan"),
        "citizen_hours_per_case": _mean(cases["citizen_hours"].to_numpy()),
        "citizen_cost_yuan": float(cases["citizen_cost_yuan"].sum()),
        "open_cases": float((state == "open").sum()),
        "staff_hours": float(units["staff_hours"].sum()),
        "deadline_breach_share": (
            _mean(cases["breaches"].to_numpy()[dispatched] > 0) if has_limits else float("nan")
        ),
        "satisfied_share": (
            float(cases["satisfied"].to_numpy()[resolved].mean()) if resolved.any() else float("nan")
        ),
        "reply_share": _mean(replied) if (has_limits if has_reply is None else has_reply)
        else float("nan"),
        "callback_satisfaction": _mean(rating[rating >= 0] == 1),
        "suggestion_adoption_share": _mean(adopted[np.isfinite(adopted)]),
    }
    for m in RULE_METRICS:
        out[m.name] = float(m.compute(cases))
    assert set(out) == set(METRICS)
    return out


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")
