"""Real data: a govsim world learnt from a log of service requests.

Layer: data (above analysis, below experiment; never imported by ``import govsim``, and scipy is
imported only inside the fitting functions). ``docs/real-data.md`` walks through it::

    import pandas as pd
    from govsim.data import world_from_requests

    fit = world_from_requests(pd.read_csv("311.csv", dtype=str), as_of="2025-01-01")
    fit.estimates                      # every fitted quantity with its SE, interval and n
    scenario = fit.scenario(name="nyc")                 # the world and two regimes, a dict
    open("nyc.toml", "w").write(fit.toml(name="nyc"))   # the same as a scenario file

- :mod:`~govsim.data.arguments`: :func:`world_from_requests`' arguments checked (each wrong one a
  ``GovsimError`` at its name), and the table read from a DataFrame or a CSV file's path;
- :mod:`~govsim.data.columns`: the log's column names (:data:`NYC311`, :data:`OPEN311`) and
  its checks;
- :mod:`~govsim.data.rates`: arrival rates with monthly and weekday profiles and a trend;
- :mod:`~govsim.data.durations`: time to close by censored maximum likelihood;
- :mod:`~govsim.data.requests`: :func:`world_from_requests` and :class:`RequestFit`;
- :mod:`~govsim.data.scenario_file`: :func:`scenario_from_fit`, the world plus regimes (written
  as TOML by :func:`govsim.scenario.to_toml`).
"""

from __future__ import annotations

from govsim.data.columns import NYC311, OPEN311, Columns
from govsim.data.requests import RequestFit, world_from_requests
from govsim.data.scenario_file import scenario_from_fit

__all__ = ["world_from_requests", "RequestFit", "Columns", "NYC311", "OPEN311",
           "scenario_from_fit"]
