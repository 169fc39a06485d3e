"""What a calibration hands back: :class:`Calibration`, its summary and its files.

Layer: calibration.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.experiment.parameters import Parameter
from govsim.measure.targets import Target
from govsim.scenario import Scenario, scenario_toml

__all__ = ["Calibration", "plain_json"]


@dataclass
class Calibration:
    """What a calibration found.

    Attributes
    ----------
    scenario, regime, parameters, targets:
        What was fitted, to what.
    method, budget, replications, seed:
        How.
    best:
        The best point's value of each parameter (by its path as given).
    start:
        The scenario's own values of the parameters (NaN where a ``*`` path holds several).
    trace:
        Every point evaluated: parameters, distance, each target's mean.
    table:
        The best point under fresh seeds: target | role | value | simulated mean | 95% CI |
        rank | met (see :func:`~govsim.calibration.evaluate.target_table`).
    start_table:
        The same for the scenario as it was, under the same fresh seeds.
    fitted:
        The scenario with the best values set.

    Examples
    --------
    >>> import govsim, os, tempfile
    >>> from govsim.measure.targets import parse_targets
    >>> figure = {"name": "satisfied", "scenario": "shishi_12345", "regime": "consolidated",
    ...           "value": 0.945, "tolerance": 0.02, "role": "fitted", "statistic": "mean",
    ...           "source": "Case B: 94.5% satisfied at the follow-up call",
    ...           "observe": {"kind": "metric", "metric": "callback_satisfaction"}}
    >>> cal = govsim.calibrate(parse_targets({"target": [figure]}), "shishi_12345", "consolidated",
    ...                        {"world.citizens.satisfied_within_days": (5, 120)}, budget=2,
    ...                        replications=1, horizon_days=30, executor="serial")
    >>> cal.trace["stage"].tolist()      # 2 points searched, the best checked, the start
    ['design', 'design', 'check', 'start']
    >>> print(cal.summary())  # doctest: +ELLIPSIS
    calibration of 'shishi_12345', regime 'consolidated': method crn, 2 points x 1 replications; ...
    >>> out = cal.write(os.path.join(tempfile.mkdtemp(), "fit"))
    >>> sorted(os.listdir(out))
    ['calibration.json', 'fitted.toml', 'targets.csv', 'trace.csv', 'trace.png']
    """

    scenario: Scenario
    regime: str
    parameters: list[Parameter]
    targets: list[Target]
    method: str
    budget: int
    replications: int
    seed: int
    best: dict[str, float]
    start: dict[str, float]
    trace: pd.DataFrame
    table: pd.DataFrame
    start_table: pd.DataFrame
    fitted: Scenario
    notes: list[str] = field(default_factory=list)
    #: method "abc": the last population (parameters, weight, distance) and, per parameter,
    #: the weighted median and 5%/95% quantiles
    posterior: pd.DataFrame | None = None
    posterior_summary: pd.DataFrame | None = None

    def summary(self) -> str:
        """A plain-text report: the parameters and the targets, before and after."""
        searched = int((~self.trace["stage"].isin(["check", "start"])).sum())
        if self.posterior_summary is not None:
            searched = int(self.posterior_summary["simulations"].iloc[0])
        lines = [f"calibration of {self.scenario.name!r}, regime {self.regime!r}: method "
                 f"{self.method}, {searched} points x {self.replications} replications; "
                 f"the table is the best point under fresh seeds, "
                 f"{2 * self.replications} replications"]
        lines.append("parameter                                   start        fitted   bounds")
        for p in self.parameters:
            lines.append(f"{p.path:40s} {self.start[p.path]:>9.4g} {self.best[p.path]:>13.4g}   "
                         f"[{p.low:g}, {p.high:g}]")
        if self.posterior_summary is not None:
            lines.append("")
            lines.append("posterior (ABC-SMC, last population): median [5%, 95%]")
            for r in self.posterior_summary.itertuples():
                lines.append(f"{r.parameter:40s} {r.median:>9.4g} [{r.q05:.4g}, {r.q95:.4g}]"
                             f"   {r.particles} particles, {r.populations} populations, "
                             f"{r.simulations} simulated points")
        lines.append("")
        lines.append(_table_text(self.table, self.start_table))
        lines.extend(self.notes)
        return "\n".join(lines)

    def write(self, out: str | Path) -> Path:
        """Write ``targets.csv`` (the table, before and after), ``trace.csv`` (every point),
        ``fitted.toml`` (the scenario with the best values, its header saying what was
        fitted), ``calibration.json`` and ``trace.png`` (the distance by evaluation, and each
        parameter against the distance). Each file is complete or absent."""
        import json

        from govsim.atomic import check_destination, text_writer, write_files
        from govsim.figures.calibration import plot_posterior, plot_trace, png_bytes

        # all drawn and serialised before the folder is touched: nothing is left half-written
        both = self.table.merge(self.start_table[["target", "simulated_mean", "rank_low", "met"]],
                                on="target", suffixes=("", "_before"))
        header = (f"{self.scenario.name}, calibrated by govsim calibrate ({self.method}, seed "
                  f"{self.seed}) for regime {self.regime!r}:\n"
                  + "\n".join(f"  {p.path} = {self.best[p.path]:.6g} (was {self.start[p.path]:.6g};"
                              f" bounds {p.low:g} to {p.high:g})" for p in self.parameters))
        meta = {"scenario": self.scenario.name, "regime": self.regime, "method": self.method,
                "budget": self.budget, "replications": self.replications, "seed": self.seed,
                "best": self.best, "start": self.start,
                "met": {r.target: bool(r.met) for r in self.table.itertuples()}}
        names = [p.path for p in self.parameters]
        files = [
            ("targets.csv", text_writer(both.to_csv(index=False))),
            ("trace.csv", text_writer(self.trace.to_csv(index=False))),
            ("fitted.toml", text_writer(scenario_toml(self.fitted, header=header))),
            ("calibration.json", text_writer(json.dumps(plain_json(meta), indent=2,
                                                        allow_nan=False))),
            ("trace.png", _bytes_writer(png_bytes(plot_trace(self.trace, names)))),
        ]
        if self.posterior is not None and self.posterior_summary is not None:
            post = png_bytes(plot_posterior(self.posterior, self.posterior_summary))
            files += [("posterior.csv", text_writer(self.posterior.to_csv(index=False))),
                      ("posterior_summary.csv",
                       text_writer(self.posterior_summary.to_csv(index=False))),
                      ("posterior.png", _bytes_writer(post))]
        root = Path(out)
        check_destination(root, "out")
        write_files(root, files, "out")
        return root


def _bytes_writer(data: bytes) -> Callable[[Any], Any]:
    return lambda fh: fh.write(data)


def plain_json(value: Any) -> Any:
    """``value`` with every number that is not finite as ``None`` (standard JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _table_text(table: pd.DataFrame, before: pd.DataFrame) -> str:
    rows = ["target                        role      figure      before  ->  fitted [95% CI] / rank   met"]
    prior = before.set_index("target")
    for r in table.itertuples():
        b = prior.loc[r.target]
        if r.n == 0:  # no replication observed it (a meeting that never happened)
            now = "never observed"
        elif r.statistic == "rank":
            now = f"rank {r.rank_low:.0%}-{r.rank_high:.0%} (median {r.median:,.4g})"
        else:
            now = f"{r.simulated_mean:,.4g} [{r.ci_low:,.4g}, {r.ci_high:,.4g}]"
        was = ("never" if b.n == 0 else f"rank {b.rank_low:.0%}" if r.statistic == "rank"
               else f"{b.simulated_mean:,.4g}")
        met = ("yes" if r.met else "NO") if r.counts else f"({r.role})"
        rows.append(f"{r.target:29s} {r.role:9s} {r.value:>9,.4g} {was:>11s}  ->  {now:32s} {met}")
    return "\n".join(rows)
