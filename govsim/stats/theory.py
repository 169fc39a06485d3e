"""Queueing-theory results the engine is validated against.

Layer: stats.
"""

from __future__ import annotations

import math

__all__ = ["erlang_c", "mmc_mean_wait", "mmc_wait_tail", "mmc_wait_quantile", "erlang_a"]


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


def mmc_wait_tail(arrival_rate: float, service_rate: float, servers: int, t: float) -> float:
    """``P(W > t)`` for the time ``W`` an arrival waits in queue in a FIFO M/M/c queue.

    An arrival finds all ``c`` servers busy with probability ``C`` (Erlang C); while they
    are, the servers finish at rate ``c mu``, so the wait of one who queues is exponential
    with rate ``c mu - lambda``: ``P(W > t) = C exp(-(c mu - lambda) t)`` for ``t >= 0``
    (``P(W > 0) = C``; the rest wait exactly 0).
    """
    if t < 0.0:
        raise ValueError(f"the wait's tail is asked at t = {t!r}; t must be >= 0")
    c = erlang_c(arrival_rate, service_rate, servers)
    return c * math.exp(-(servers * service_rate - arrival_rate) * t)


def mmc_wait_quantile(arrival_rate: float, service_rate: float, servers: int,
                      p: float) -> float:
    """The ``p``-quantile of the wait in queue of a FIFO M/M/c queue: the smallest ``t`` with
    ``P(W <= t) >= p``, which is 0 when ``p <= 1 - C`` and otherwise
    ``ln(C / (1 - p)) / (c mu - lambda)`` (the inverse of :func:`mmc_wait_tail`)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"quantile level p = {p!r} must lie in [0, 1)")
    c = erlang_c(arrival_rate, service_rate, servers)
    if p <= 1.0 - c:
        return 0.0
    return math.log(c / (1.0 - p)) / (servers * service_rate - arrival_rate)


def erlang_a(arrival_rate: float, service_rate: float, patience_rate: float, servers: int,
             tolerance: float = 1e-13) -> tuple[float, float]:
    """The M/M/c+M queue (Erlang A: callers who wait longer than an exponential patience hang
    up): the share of callers who hang up, and the mean wait of all callers (until answered or
    until they hang up).

    From the birth-death chain of the number of callers: births ``lambda``, deaths
    ``min(n, c) mu + max(n - c, 0) theta``, summed until the terms fall below ``tolerance``.
    By Little's law the mean wait is ``E[queue] / lambda`` and the share hanging up is
    ``theta E[queue] / lambda``.
    """
    if patience_rate <= 0.0:
        raise ValueError("patience rate must be positive (without it this is Erlang C)")
    weights = [1.0]
    n = 0
    while True:
        n += 1
        death = min(n, servers) * service_rate + max(n - servers, 0) * patience_rate
        weights.append(weights[-1] * arrival_rate / death)
        if n > servers and weights[-1] < tolerance * sum(weights):
            break
    total = sum(weights)
    queue = sum(max(k - servers, 0) * w for k, w in enumerate(weights)) / total
    return patience_rate * queue / arrival_rate, queue / arrival_rate


assert math.isclose(mmc_mean_wait(1.0, 2.0, 1), 0.5 / 1.0)  # M/M/1: rho / (mu - lambda)
