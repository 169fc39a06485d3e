"""The figures of a set of results, named and titled from the results themselves.

Layer: experiment (draws through :mod:`govsim.figures`, imported only when drawing).
:class:`ResultFigures` is a mixin of :class:`govsim.experiment.comparison.Results` (and so of
:class:`~govsim.experiment.comparison.Comparison`). Each ``plot_*`` method passes the right
tables to the figure of the same name in :mod:`govsim.figures`, names regimes, units and
activities in words in ``lang`` (:meth:`Results.names`), and puts under the title what run
it shows: the horizon (days, from the start date), the number of replications and the
warm-up left out (:func:`govsim.figures.headings.run_line`). ``style="talk"`` draws it for a
room; None takes the style in force (:func:`govsim.figures.set_style`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from govsim.errors import GovsimError, shown
from govsim.lang import check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ResultFigures"]


class ResultFigures:
    """Figures of a :class:`~govsim.experiment.comparison.Results` (mixin).

    Examples
    --------
    >>> cmp = govsim.compare("district", ["fragmented", "consolidated"],
    ...                      replications=2, horizon_days=30)  # doctest: +SKIP
    >>> fig = cmp.plot_survival(style="talk")  # doctest: +SKIP
    >>> fig.savefig("survival.png")  # doctest: +SKIP
    """

    def run_line(self, lang: str = "en") -> str:
        """What run these results are, in one line for a figure's title: the horizon in days
        from the start date, the number of replications and the warm-up left out."""
        from govsim.figures.headings import run_line

        s: Any = self
        w = s.scenario.world
        return run_line(int(w.horizon_days), int(s.replications), w.start,
                        float(s.warmup_days), check_lang(lang))

    def _words(self, lang: str) -> tuple[str, Any, str]:
        s: Any = self
        lang = check_lang(lang)
        return lang, s.names(lang), self.run_line(lang)

    def plot_survival(self, days: Sequence[float] | None = None, *, lang: str = "en",
                      style: str | None = None, title: str | None = None) -> Figure:
        """:func:`govsim.figures.plot_survival` of these results' cases: the share of
        problems not yet truly resolved after each day, per regime."""
        from govsim.figures.survival import plot_survival

        s: Any = self
        lang, names, line = self._words(lang)
        return plot_survival(s.cases, days, s.confidence, title=title, lang=lang, names=names,
                             style=style, subtitle=line)

    def plot_costs(self, *, lang: str = "en", style: str | None = None,
                   title: str | None = None) -> Figure:
        """:func:`govsim.figures.plot_costs`: each regime's cost by payer."""
        from govsim.figures.costs import plot_costs

        s: Any = self
        lang, names, line = self._words(lang)
        return plot_costs(s.units, s.metrics, title=title, lang=lang, names=names, style=style,
                          subtitle=line)

    def plot_workload(self, top: int = 12, *, lang: str = "en", style: str | None = None,
                      title: str | None = None) -> Figure:
        """:func:`govsim.figures.plot_workload`: staff hours and tickets of the ``top``
        busiest units, per regime."""
        from govsim.figures.workload import plot_workload

        s: Any = self
        lang, names, line = self._words(lang)
        return plot_workload(s.units, top, title=title, lang=lang, names=names, style=style,
                             subtitle=line)

    def plot_lights(self, *, lang: str = "en", style: str | None = None,
                    title: str | None = None) -> Figure:
        """:func:`govsim.figures.plot_lights`: yellow and red lights per month."""
        from govsim.figures.workload import plot_lights

        s: Any = self
        lang, names, line = self._words(lang)
        return plot_lights(s.lights, title=title, lang=lang, names=names, style=style,
                           subtitle=line)

    def plot_over_time(self, metric: str = "street_office_burden_yuan", freq: str = "M", *,
                       components: bool = True, lang: str = "en", style: str | None = None,
                       title: str | None = None) -> Figure:
        """:func:`govsim.figures.plot_over_time`: the street office's cumulative burden per
        regime over time, and the median resolution time of the cases filed in each
        period."""
        from govsim.figures.over_time import plot_over_time

        s: Any = self
        lang, names, line = self._words(lang)
        return plot_over_time(s.over_time(freq), metric, freq, s.confidence, components,
                              title=title, lang=lang, names=names, style=style, subtitle=line)

    def plot_process_map(self, regime: str | None = None, *, min_share: float = 0.01,
                         max_edges: int | None = 12, lang: str = "en",
                         style: str | None = None, title: str | None = None) -> Figure:
        """:func:`govsim.figures.plot_process_map` of one regime's event log (default: the
        first regime), its activities named in words."""
        from govsim.figures.process_map import plot_process_map

        s: Any = self
        regime = self._regime(regime)
        if not len(s.events):
            raise GovsimError("these results hold no event log (they were run with "
                              "record_events=False): run them again with it", "events")
        lang, names, line = self._words(lang)
        return plot_process_map(s.events, regime, min_share, title=title, lang=lang,
                                names=names, style=style, subtitle=line, max_edges=max_edges)

    def plot_swimlane(self, case: int, replication: int = 0, regime: str | None = None, *,
                      lang: str = "en", style: str | None = None, dense: bool | None = None,
                      title: str | None = None) -> Figure:
        """One case's journey as a swimlane (:func:`govsim.figures.swimlane.swimlane_figure`,
        a figure outside :mod:`matplotlib.pyplot`), with the money, meetings and office hours
        the run recorded (:func:`govsim.measure.journey.journey_from`). A crowded case (a
        lane with more steps than fit side by side, as with hundreds of reports) counts its
        frequent steps in bars (``dense``: True or False forces the choice)."""
        from govsim.figures.swimlane import swimlane_figure
        from govsim.measure.journey import journey_from

        regime = self._regime(regime)
        lang, names, _ = self._words(lang)
        try:
            journey = journey_from(self, case, replication, regime)
        except ValueError as exc:  # no such case or replication: said at the argument
            where = "replication" if str(exc).startswith("replication") else "case"
            raise GovsimError(str(exc), where) from None
        return swimlane_figure(journey, title, lang, names, style, dense)

    def _regime(self, regime: str | None) -> str:
        s: Any = self
        regimes = list(s.regimes)
        if regime is None:
            return str(regimes[0])
        if regime not in regimes:
            raise GovsimError(f"must be one of {', '.join(regimes)}, got {shown(regime)}",
                              "regime")
        return regime
