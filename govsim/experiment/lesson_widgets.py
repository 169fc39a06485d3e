"""Sliders for a lesson: the levers of a :class:`~govsim.experiment.lesson.WhatIfLesson`, and
the reports of one history, as ``ipywidgets`` controls labelled in full.

Layer: experiment. Each function runs once at its starting values (so a notebook's Run All
leaves nothing empty) and again when a slider is let go; without ``ipywidgets`` it returns what
that first run shows, so a notebook runs top to bottom either way (as ``pytest --nbmake`` runs
it, with no widget front end).

Example
-------
>>> from govsim.experiment.lesson import CENTRE_LEVERS, WhatIfLesson
>>> centre = WhatIfLesson("district", "consolidated", CENTRE_LEVERS,
...                       ["resolution_days_median"], replications=3, horizon_days=60)
>>> explore(centre)        # sliders, or the table at the file's values   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from govsim.experiment.lesson import ChangeView, WhatIfLesson
from govsim.measure.lesson import ReportSteps, report_steps

__all__ = ["explore", "browse_reports"]

#: how every control shows its label: in full, on one line, across the notebook's width
_STYLE = {"description_width": "initial"}


def explore(lesson: WhatIfLesson) -> ChangeView | None:
    """Sliders for ``lesson``'s levers when ``ipywidgets`` is installed: each labelled in
    full, running the lesson when a slider is let go (and once at the file's values, so Run
    All leaves nothing empty); returns ``None`` then. Without ``ipywidgets``: the lesson run
    once at the file's values (a notebook shows it).

    Example
    -------
    >>> explore(WhatIfLesson("district", "consolidated", CENTRE_LEVERS,
    ...                      ["resolution_days_median"], replications=3))  # doctest: +SKIP
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        return lesson()
    defaults = lesson.defaults()
    style, layout = _STYLE, widgets.Layout(width="90%")
    controls: dict[str, Any] = {}
    for lv in lesson.levers:
        if lv.low is None:
            controls[lv.name] = widgets.Checkbox(value=bool(defaults[lv.name]),
                                                 description=lv.label, style=style,
                                                 layout=layout)
        else:
            controls[lv.name] = widgets.FloatSlider(
                value=float(defaults[lv.name]), min=lv.low, max=lv.high, step=lv.step,
                description=lv.label, continuous_update=False, readout_format=".2f",
                style=style, layout=layout)

    def show(**values: Any) -> ChangeView:
        print(f"running {lesson.replications} replications as written and with your values ...",
              flush=True)
        return lesson(**values)

    widgets.interact(show, **controls)
    return None



def browse_reports(journey: pd.DataFrame, contacts: pd.DataFrame,
                   start: int = 1) -> ReportSteps | None:
    """A slider over the reports of one history when ``ipywidgets`` is installed (labelled
    in full, showing :func:`govsim.measure.lesson.report_steps` of the report chosen, and of
    ``start`` at first); returns ``None`` then. Without ``ipywidgets``: report ``start``.

    Example
    -------
    >>> browse_reports(journey, contacts_table(journey), start=20)   # doctest: +SKIP
    """
    first = report_steps(journey, contacts, start)  # checks start
    try:
        import ipywidgets as widgets
    except ImportError:
        return first

    def show(report: int) -> ReportSteps:
        return report_steps(journey, contacts, int(report))

    widgets.interact(show, report=widgets.IntSlider(
        value=start, min=1, max=len(contacts), step=1, continuous_update=False,
        description="Report number (1 is the first)", style=_STYLE,
        layout=widgets.Layout(width="90%")))
    return None
