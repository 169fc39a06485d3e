"""Queueing-theory results the engine is validated against.

Layer: analysis.
"""

from __future__ import annotations

import math

__all__ = ["erlang_c", "mmc_mean_wait"]


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arrival must wait in an M/M/c queue (Erlang C formula).

    Computed with the numerically stable Erlang B recursion, ``C = B / (1 - rho (1 - B))``.
    """
    a = arrival_rate / service_rate  # offered load in Erlangs
    rho = a / servers
    if rho >= 1.0:
        raise ValueError(f"unstable queue: utilisation {rho:.3f} >= 1")
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue (before service starts) of an M/M/c queue: ``C / (c mu - lambda)``."""
    c = erlang_c(arrival_rate, service_rate, servers)
    return c / (servers * service_rate - arrival_rate)


assert math.isclose(mmc_mean_wait(1.0, 2.0, 1), 0.5 / 1.0)  # M/M/1: rho / (mu - lambda)
