"""The lean process driver behaves as a SimPy process where the model relies on it."""

from __future__ import annotations

import gc

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.model.runner import gc_paused, start


def _worker(env: simpy.Environment, desk: simpy.Resource, name: int, delays: list[float],
            seen: list[tuple[float, int, str]]):
    for k, d in enumerate(delays):
        yield env.timeout(d)
        seen.append((env.now, name, f"waited {k}"))
        with desk.request() as req:
            yield req
            seen.append((env.now, name, "served"))
            yield env.timeout(d / 2)
    done = env.event().succeed("x")
    yield env.timeout(0)
    value = yield done  # an event processed before it is yielded: go on at once
    seen.append((env.now, name, value))


@settings(max_examples=40, deadline=None)
@given(plans=st.lists(st.lists(st.floats(0.0, 5.0), min_size=1, max_size=4), min_size=1,
                      max_size=6))
def test_driven_generators_see_what_simpy_processes_see(plans) -> None:
    def trace(drive) -> list[tuple[float, int, str]]:
        env = simpy.Environment()
        desk = simpy.Resource(env, capacity=1)
        seen: list[tuple[float, int, str]] = []
        for name, delays in enumerate(plans):
            drive(env, _worker(env, desk, name, delays, seen))
        env.run()
        return seen

    # a SimPy process starts one (urgent) step later; started in that same order, the
    # driven generators interleave exactly as the processes do
    assert trace(lambda env, g: start(g)) == trace(lambda env, g: env.process(g))


def test_a_failed_event_is_thrown_into_the_generator() -> None:
    env = simpy.Environment()
    caught = []

    def waiter():
        bad = env.event()
        env.timeout(1).callbacks.append(lambda _e: bad.fail(ValueError("no")))
        try:
            yield bad
        except ValueError as exc:
            caught.append((env.now, str(exc)))

    start(waiter())
    env.run()
    assert caught == [(1, "no")]


def test_an_error_in_a_driven_generator_stops_the_run() -> None:
    env = simpy.Environment()

    def broken():
        yield env.timeout(2)
        raise RuntimeError("model bug")

    start(broken())
    with pytest.raises(RuntimeError, match="model bug"):
        env.run()
    assert env.now == 2


def test_gc_paused_restores_the_collectors_state() -> None:
    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        assert not gc.isenabled()
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


@settings(max_examples=40, deadline=None)
@given(plans=st.lists(st.lists(st.floats(0.0, 5.0), min_size=1, max_size=4), min_size=1,
                      max_size=6),
       until=st.floats(0.01, 12.0))
def test_run_until_processes_what_simpy_run_until_processes(plans, until) -> None:
    """Ties at one instant, requests handed over, events due at ``until`` itself (left for
    later by both), and the clock and schedule counter afterwards."""
    from govsim.model.runner import run_until

    def trace(go) -> tuple[list[tuple[float, int, str]], float, int]:
        env = simpy.Environment()
        desk = simpy.Resource(env, capacity=1)
        seen: list[tuple[float, int, str]] = []
        for name, delays in enumerate(plans):
            start(_worker(env, desk, name, [*delays, until - sum(delays)]
                          if sum(delays) < until else delays, seen))
        go(env)
        return seen, env.now, next(env._eid)

    assert trace(lambda env: run_until(env, until)) == trace(lambda env: env.run(until=until))


def test_run_until_stops_on_an_unhandled_failure_as_simpy_does() -> None:
    from govsim.model.runner import run_until

    env = simpy.Environment()
    env.timeout(1).callbacks.append(lambda _e: env.event().fail(KeyError("lost")))
    with pytest.raises(KeyError, match="lost"):
        run_until(env, 5.0)
    with pytest.raises(ValueError, match="greater"):
        run_until(simpy.Environment(), 0.0)
