"""What if some values were different? The paired comparison of a scenario as written and the
same scenario with some values changed.

Layer: experiment. :func:`what_if` runs one regime twice, on the scenario as its file writes it
and with ``changes`` (key paths, :func:`govsim.scenario.edit.with_values`), with the same seed:
replication ``r`` of both draws its world from ``(seed, r)``, so the two runs share their
random numbers as far as the changes allow (all of them when only the regime's rules change),
and the differences are paired replication by replication. The result is a
:class:`~govsim.experiment.comparison.Comparison` of two regimes, :data:`BASE` (the baseline)
and :data:`CHANGED`, so its tables, figures and paired differences are the comparison's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Any

import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.experiment.checks import resolve_scenario
from govsim.experiment.comparison import Comparison, Results, ScenarioLike, run
from govsim.progress import Progress
from govsim.scenario.edit import with_values
from govsim.scenario.keypath import segments
from govsim.scenario.names import short_label

__all__ = ["what_if", "BASE", "CHANGED"]

#: the regime key of the scenario as written, and of the scenario with the changes
BASE, CHANGED = "as_written", "changed"

_LABELS = {BASE: ("{label}: as written", "{label}：按文件取值"),
           CHANGED: ("{label}: changed", "{label}：修改后")}


#: the world's settings both runs must share to be paired day by day
_SHARED = {"horizon_days": "pass horizon_days= instead: both runs cover the same days",
           "start": "both runs must start on the same day to be paired"}


def _check_changes(changes: Any, regime: str) -> dict[str, Any]:
    """``changes`` as a dict, each key a key path that can change what ``regime`` does: a
    path into another regime (which would change nothing) or to the horizon or the start
    (which would unpair the runs) is refused at ``changes.PATH``."""
    if not isinstance(changes, Mapping):
        raise GovsimError(f"must be a mapping of key paths to values, got {shown(changes)}",
                          "changes")
    for path in changes:
        if not isinstance(path, str) or not path:
            raise GovsimError(f"keys must be key paths such as 'regimes.consolidated.accuracy', "
                              f"got {shown(path)}", "changes")
        parts = segments(path) or []
        if parts[:1] == ["world"] and len(parts) > 1 and parts[1] in _SHARED:
            raise GovsimError(f"cannot be changed here: {_SHARED[str(parts[1])]}",
                              f"changes.{path}")
        if parts[:1] == ["regimes"] and len(parts) > 1 and parts[1] != regime:
            raise GovsimError(f"is a setting of regime {parts[1]!r}, but {regime!r} is the one "
                              "run: it would change nothing", f"changes.{path}")
    return dict(changes)


def _relabelled(res: Results, key: str) -> dict[str, pd.DataFrame]:
    """``res``'s tables with every ``regime`` value replaced by ``key``."""
    out = {}
    for name in ("cases", "events", "units", "ledger", "lights", "metrics", "daily", "cohorts"):
        frame = getattr(res, name).copy()
        if "regime" in frame:
            frame["regime"] = key
        out[name] = frame
    return out


def what_if(scenario: ScenarioLike, changes: Mapping[str, Any], regime: str | None = None, *,
            replications: int = 10, seed: int = 0, horizon_days: int | None = None,
            record_events: bool = True, jobs: int | None = None,
            progress: Progress | None = None, executor: str | Executor | None = None,
            scheduler: str | None = None, warmup_days: float = 0.0,
            memory_budget: float | None = None, recording: str = "tables") -> Comparison:
    """Run ``regime`` (default: the scenario's first) as written and with ``changes``, paired.

    ``changes`` maps key paths to new values (``{"regimes.consolidated.accuracy": 0.8,
    "world.funds.maintenance_fund.available": True}``); a bad path or value is a
    :class:`~govsim.errors.GovsimError` naming it, raised before anything runs. The result is
    a :class:`~govsim.experiment.comparison.Comparison` of the regimes :data:`BASE` and
    :data:`CHANGED` (labelled with the regime's own label), with :data:`BASE` the baseline:
    ``differences()`` is changed − as written, per replication, with its t interval. Other
    parameters as in :func:`~govsim.experiment.comparison.run`; both runs use the same seed,
    so replication ``r`` of both starts from the same world draws.

    Examples
    --------
    >>> import govsim
    >>> cmp = govsim.what_if("district", {"regimes.consolidated.accuracy": 0.8}, "consolidated",
    ...                      replications=2, horizon_days=10, jobs=1)
    >>> cmp.regimes, cmp.baseline
    (['as_written', 'changed'], 'as_written')
    >>> cmp.differences(["tickets_per_case"])[["regime", "metric", "mean_diff"]].round(2)
        regime            metric  mean_diff
    0  changed  tickets_per_case        0.1
    """
    s = resolve_scenario(scenario, horizon_days)
    name = s.check_regime(regime)
    values = _check_changes(changes, name)
    try:
        changed = with_values(s, values, source="<scenario with the changes of what_if>",
                              prefix="changes.")
    except GovsimError as exc:  # every problem said at the change that makes it
        if exc.path.startswith("changes"):
            raise
        raise GovsimError(exc.message, f"changes.{exc.path}") from None
    common = dict(replications=replications, seed=seed, record_events=record_events, jobs=jobs,
                  executor=executor, scheduler=scheduler, warmup_days=warmup_days,
                  memory_budget=memory_budget, recording=recording)
    total = 2 * replications if isinstance(replications, int) else 0

    def part(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _n: progress(offset + done, total)

    before = run(s, name, progress=part(0), **common)
    after = run(changed, name, progress=part(replications), **common)
    keys = [BASE, CHANGED]
    tables: dict[str, pd.DataFrame] = {}
    parts = (_relabelled(before, BASE), _relabelled(after, CHANGED))
    for table in parts[0]:
        frame = pd.concat([p[table] for p in parts], ignore_index=True)
        if "regime" in frame:
            frame["regime"] = pd.Categorical(frame["regime"], categories=keys)
        tables[table] = frame
    rules = s.regimes[name]
    label = short_label(rules.label) if rules.label else name
    label_zh = rules.label_zh or label
    shown_regimes = {
        key: (rules if key == BASE else changed.regimes[name]).model_copy(
            update={"label": _LABELS[key][0].format(label=label),
                    "label_zh": _LABELS[key][1].format(label=label_zh)})
        for key in keys}
    display = s.model_copy(update={"regimes": shown_regimes})
    return Comparison(scenario=display, regimes=keys, seed=seed, replications=replications,
                      confidence=before.confidence, warmup_days=before.warmup_days,
                      baseline=BASE, **tables)
