"""The study behind a report page: a comparison, and the decomposition of one gap.

Layer: experiment. :func:`make_report` checks everything first, runs a comparison (and, unless
told not to, a decomposition of the gap between two regimes) and hands them to
:func:`govsim.report.html.report_page`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from govsim.atomic import save_file
from govsim.errors import GovsimError, shown
from govsim.experiment.checks import resolve_scenario
from govsim.experiment.comparison import Comparison, ScenarioLike, compare
from govsim.experiment.decomposition import Decomposition, execute, plan
from govsim.lang import check_lang
from govsim.progress import Progress
from govsim.report.html import report_page
from govsim.report.words import provenance
from govsim.scenario import Scenario, check_baseline, differing_rules

if TYPE_CHECKING:
    import os


__all__ = ["Report", "make_report"]


@dataclass(frozen=True)
class Report:
    """A report page and the results behind it.

    Examples
    --------
    >>> import govsim, os, tempfile
    >>> page = govsim.make_report("district", ["consolidated", "consolidated_no_adjudication"],
    ...                           replications=2, horizon_days=5, executor="serial")
    >>> page.comparison.regimes, page.decomposition.rules
    (['consolidated', 'consolidated_no_adjudication'], ['overlap'])
    >>> page.save(os.path.join(tempfile.mkdtemp(), "report.html")).name
    'report.html'
    """

    #: the whole page
    html: str
    comparison: Comparison
    #: the decomposition shown, or None when none was asked for
    decomposition: Decomposition | None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page and return the absolute path written.

        As every govsim writer: ``path`` is checked first (a path, a name the file system
        can hold, not a directory; its folder created if missing and tried), the file is
        written atomically (complete or absent), and any failure is a
        :class:`~govsim.errors.GovsimError` at ``path`` in one sentence (a disk that fails
        midway: the page is saved in a temporary directory instead, and the sentence says
        where)."""
        data = self.html.encode("utf-8")
        return save_file(path, lambda fh: fh.write(data), "path", len(data))


def make_report(scenario: ScenarioLike, regimes: Sequence[str] | None = None, *,
                baseline: str | None = None, decompose: tuple[str, str] | bool = True,
                orders: int = 8, replications: int = 10, seed: int = 0,
                horizon_days: int | None = None, warmup_days: float = 0.0, lang: str = "en",
                jobs: int | None = None, progress: Progress | None = None,
                executor: str | Executor | None = None, scheduler: str | None = None,
                memory_budget: float | None = None, source: str = "",
                command: str = "", ready: Callable[[], object] | None = None) -> Report:
    """Run the comparison behind a report and build its page.

    Parameters
    ----------
    scenario, regimes, baseline, replications, seed, horizon_days, warmup_days, jobs, executor, scheduler, memory_budget:
        As in :func:`~govsim.experiment.compare` (the event log is kept: the process map and
        the swimlane are drawn from it).
    decompose:
        ``True`` (default): decompose the gap from the baseline to the first other regime
        whose rules differ from it (none such: no decomposition, and the page says so); a
        pair ``(A, B)``: from A to B (both among ``regimes``); ``False``: no decomposition.
    orders:
        Sampled orders when more than five rules differ (see :func:`govsim.decompose`).
    lang:
        ``"en"`` or ``"zh"``: the language of the page, its tables and figures (Chinese
        figures need a font with Chinese characters: see :func:`govsim.figures.style.cjk_font`).
    progress:
        Told of the comparison's replications, then of the decomposition's tasks.
    source, command:
        Where the scenario came from and the command that made the page, for the provenance.
    ready:
        Called once every check has passed, before anything runs (``govsim report`` tries
        the page's destination there, so a refused request leaves nothing behind).

    Returns
    -------
    Report
        The page (``Report.html``, ``Report.save(path)``) and the results behind it.

    Examples
    --------
    >>> import govsim, os, tempfile
    >>> page = govsim.make_report("district", ["fragmented", "consolidated"], decompose=False,
    ...                           replications=2, horizon_days=5, executor="serial")
    >>> page.html[:15]
    '<!DOCTYPE html>'
    >>> path = page.save(os.path.join(tempfile.mkdtemp(), "report.html"))
    >>> path.name, page.decomposition is None
    ('report.html', True)
    """
    for where, text in (("source", source), ("command", command)):
        if not isinstance(text, str):
            raise GovsimError(f"must be text (it is shown in the page's provenance), got "
                              f"{shown(text)}", where)
    if ready is not None and not callable(ready):
        raise GovsimError(f"must be a function of no arguments or None, got {shown(ready)}", "ready")
    lang = check_lang(lang)
    s = resolve_scenario(scenario, horizon_days)
    if regimes is None and len(s.regimes) < 2:
        raise GovsimError(f"a report compares regimes, and {s.name!r} has one "
                          f"({', '.join(s.regimes)}): add another regime to the scenario",
                          "scenario")
    chosen = s.check_regimes(regimes, minimum=2)
    check_baseline(chosen, baseline)
    base = chosen[0] if baseline is None else baseline
    pair = _pair(decompose, chosen, base, s)
    dec_plan = None
    if pair is not None:  # every check before the long runs
        dec_plan = plan(s, pair[0], pair[1], replications=replications, seed=seed,
                        warmup_days=warmup_days, orders=orders, memory_budget=memory_budget)
    if lang == "zh":
        from govsim.figures.style import require_cjk_font

        require_cjk_font()  # before the runs: a missing font is said at once
    if ready is not None:
        ready()
    cmp = compare(s, list(chosen), baseline=base, replications=replications, seed=seed,
                  record_events=True, jobs=jobs, progress=progress, executor=executor,
                  scheduler=scheduler, warmup_days=warmup_days, memory_budget=memory_budget)
    dec = None
    if dec_plan is not None:
        dec = execute(dec_plan, jobs=jobs, progress=progress, executor=executor,
                      scheduler=scheduler)
    how = "" if pair is None else f"{pair[0]} → {pair[1]}"
    html = report_page(cmp, dec, lang, provenance(
        cmp.scenario, lang, source=source, seed=seed, replications=replications,
        regimes=list(cmp.regimes), baseline=base, warmup_days=warmup_days, decomposition=how,
        orders=orders, command=command))
    return Report(html=html, comparison=cmp, decomposition=dec)


def _pair(decompose: tuple[str, str] | bool, chosen: Sequence[str], base: str,
          s: Scenario) -> tuple[str, str] | None:
    if decompose is False:
        return None
    if decompose is True:  # the first other regime whose rules differ from the baseline's
        others = [r for r in chosen if r != base
                  and differing_rules(s.regimes[base], s.regimes[r])]
        return (base, others[0]) if others else None
    if (not isinstance(decompose, Sequence) or isinstance(decompose, str)
            or len(decompose) != 2):
        raise GovsimError(f"must be true, false or a pair of regimes, got {shown(decompose)}",
                          "decompose")
    for r in decompose:
        if r not in chosen:
            raise GovsimError(f"{shown(r)} is not among the regimes compared ({', '.join(chosen)})",
                              "decompose")
    return (str(decompose[0]), str(decompose[1]))
