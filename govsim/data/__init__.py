"""Real data: a govsim world learnt from a log of service requests.

Layer: data (above analysis, below experiment; never imported by ``import govsim``, and scipy is
imported only inside the fitting functions). ``docs/real-data.md`` walks through it::

    import pandas as pd
    from govsim.data import world_from_requests

    fit = world_from_requests("311.csv", as_of="2025-01-01", country="US")
    fit.estimates                      # every fitted quantity with its SE, interval and n
    fit = fit.fit_work()               # work per case fitted to the log's times to close
    fit.check("311_next_year.csv", as_of="2026-01-01").plot()   # against a later period
    open("nyc.toml", "w").write(fit.toml(name="nyc"))   # a scenario file

- :mod:`~govsim.data.arguments`: :func:`world_from_requests`' arguments checked (each wrong one a
  ``GovsimError`` at its name), and the table read from a DataFrame or a CSV file's path;
- :mod:`~govsim.data.shapes`: the log's column names, presets (:data:`NYC311`,
  :data:`OPEN311`, :data:`GENERIC`) and their detection; :mod:`~govsim.data.statuses`: which
  statuses mean closed; :mod:`~govsim.data.columns`: the time stamps and the checked
  :class:`~govsim.data.columns.Log`;
- :mod:`~govsim.data.window`: the creation window the rates are counted over;
- :mod:`~govsim.data.rates`: arrival rates with monthly and weekday profiles, a trend the data
  supports, and steps;
- :mod:`~govsim.data.durations`: time to close by censored maximum likelihood, restricted to
  what the log observes;
- :mod:`~govsim.data.staffing`: office hours and staff of the learnt units;
- :mod:`~govsim.data.learn`: the world's pieces; :mod:`~govsim.data.requests`:
  :func:`world_from_requests` and :func:`read_requests`; :mod:`~govsim.data.result`:
  :class:`RequestFit`;
- :mod:`~govsim.data.scenario_file`: :func:`scenario_from_fit`, the world plus regimes (written
  as TOML by :func:`govsim.scenario.to_toml`);
- :mod:`~govsim.data.simulated`: the learnt world simulated as the log observed it;
  :mod:`~govsim.data.work_fit`: work per case fitted to the log's times to close;
  :mod:`~govsim.data.check`: a fit checked against a later period.
"""

from __future__ import annotations

from govsim.data.check_result import RequestCheck
from govsim.data.columns import GENERIC, NYC311, OPEN311, Columns
from govsim.data.requests import (
    RequestFit,
    RequestLog,
    RequestLogWarning,
    read_requests,
    world_from_requests,
)
from govsim.data.scenario_file import scenario_from_fit

__all__ = ["world_from_requests", "read_requests", "RequestFit", "RequestLog",
           "RequestLogWarning", "RequestCheck", "Columns", "NYC311", "OPEN311", "GENERIC",
           "scenario_from_fit"]
