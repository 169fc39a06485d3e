"""What :func:`~govsim.data.requests.world_from_requests` learnt: :class:`RequestFit`.

Layer: data. The fitted world with every estimate, the families of time to close tried, the
diagnostics and notes, and what can be done with them: a scenario (:meth:`RequestFit.scenario`,
:meth:`RequestFit.toml`), the work per case fitted to the log's times to close
(:meth:`RequestFit.fit_work`, :mod:`govsim.data.work_fit`) and the check of the learnt world
against a later period of the same city's log (:meth:`RequestFit.check`,
:mod:`govsim.data.check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["RequestFit", "ESTIMATE_COLUMNS"]

#: the columns of ``RequestFit.estimates``
ESTIMATE_COLUMNS = ["quantity", "category", "agency", "level", "estimate", "se", "ci_low",
                    "ci_high", "n"]


@dataclass(frozen=True)
class RequestFit:
    """What :func:`world_from_requests` learnt.

    Attributes
    ----------
    world : dict
        The scenario's ``[world]`` table (``start``, ``horizon_days``, ``calendar``, ``units``,
        ``categories``), as plain Python data; :meth:`scenario` adds regimes.
    estimates : pandas.DataFrame
        One row per fitted quantity (columns :data:`ESTIMATE_COLUMNS`): ``rate_per_day``,
        ``seasonal`` (level ``Jan`` ... ``Dec``), ``weekday`` (``Mon`` ... ``Sun``),
        ``trend_per_year``, ``owner_share`` per category; ``duration_mean_days``,
        ``duration_cv`` and the chosen family's parameters (level: the family) per category and
        per agency; ``work_hours`` and ``work_cv`` per category. ``n`` is the number of
        requests behind the estimate; intervals are at the fit's ``confidence``.
    duration_fits : pandas.DataFrame
        Every family tried for every group: ``group`` (``category``/``agency``), ``name``,
        ``family``, ``loglik``, ``aic``, ``delta_aic``, ``chosen``, ``mean_days``, ``cv``,
        ``median_days`` and the Kaplan-Meier median ``km_median_days`` as a check.
    diagnostics : dict
        Rows read and dropped, the log's end (``as_of``) and window of whole days, the share of
        requests still open (censored) overall and per group, requests closed at once,
        each category's dispersion, agencies that own no category, the assumptions used.
    notes : list of str
        What was not fitted, and why.
    """

    world: dict[str, Any]
    estimates: pd.DataFrame
    duration_fits: pd.DataFrame
    diagnostics: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def scenario(self, **options: Any) -> dict[str, Any]:
        """A full scenario (this world and default regimes); see
        :func:`govsim.data.scenario_file.scenario_from_fit` for the options."""
        from govsim.data.scenario_file import scenario_from_fit

        return scenario_from_fit(self, **options)

    def toml(self, *, full: bool = False, **options: Any) -> str:
        """The scenario of :meth:`scenario` as the text of a scenario file, headed by
        :meth:`provenance` as comments.

        Parameters
        ----------
        full : bool
            Write every key, defaults included (:func:`govsim.scenario.scenario_toml`), so the
            file does not depend on future defaults; by default only the keys learnt from the
            log and the regimes' own keys are written.
        **options
            As for :func:`govsim.data.scenario_file.scenario_from_fit`.
        """
        from govsim.scenario.parse import parse_scenario
        from govsim.scenario.toml_text import scenario_toml, to_toml

        data = self.scenario(**options)
        if full:
            return scenario_toml(parse_scenario(data), header=self.provenance())
        header = "".join(f"# {line}\n" for line in self.provenance().splitlines())
        return header + "\n" + to_toml(data)

    def fit_work(self, **options: Any) -> RequestFit:
        """This fit with the work per case fitted to the log's median times to close instead
        of assumed; see :func:`govsim.data.work_fit.fit_work` for the options."""
        from govsim.data.work_fit import fit_work

        return fit_work(self, **options)

    def check(self, later: Any, **options: Any) -> Any:
        """Simulate the period of a later log of the same city with this fit's world and
        compare: volume by complaint type and time-to-close quantiles by agency, each with
        its interval; see :func:`govsim.data.check.check_fit` for the options."""
        from govsim.data.check import check_fit

        return check_fit(self, later, **options)

    def provenance(self) -> str:
        """A few lines saying where the world came from and what was assumed (for a TOML
        header)."""
        d = self.diagnostics
        a = d["assumptions"]
        w = d["window"]
        work = a.get("work", {"fitted": False})
        if work.get("fitted"):
            regime = work["regime"] if isinstance(work["regime"], str) else "a given regime"
            work_line = (f"FITTED work_hours: per agency, the simulated median time to close "
                         f"under {regime!r} ({work['replications']} replications, seed "
                         f"{work['seed']}) matches the log's Kaplan-Meier median; work_cv = cv "
                         f"of the restricted time to close.")
        else:
            work_line = (f"ASSUMPTION work_hours = {a['work_share']} (work_share) x mean time to "
                         f"close restricted to {d['observed_days']:.4g} days, in office hours "
                         f"({a['office_hours_per_week']} a week); work_cv = its cv.")
        return "\n".join([
            f"Learnt by govsim.data.world_from_requests from {d['requests_used']} requests "
            f"created {w['first_day']} to {w['end_day']} (exclusive), observed to {d['as_of']}.",
            f"Rates: Poisson fit on the {w['n_days']} days of that creation window; profiles "
            f"average 1; rate_per_day is the rate at start ({self.world['start']}).",
            work_line,
            f"ASSUMPTION staff sized for {a['utilisation']:.0%} utilisation unless given; "
            f"agencies without a given kind are {a['default_kind']!r}; costs are not in a log.",
            f"Still open at the end (censored): {d['censored_share']:.1%} of requests.",
        ])
