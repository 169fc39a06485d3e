"""The staff pool: servers granted at once when free, handed on first come first served (or by
priority), never more busy than there are servers (govsim.model.staff)."""

from __future__ import annotations

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.model.staff import StaffPool


def run_sessions(capacity: int, sessions: list[tuple[float, float, int]],
                 priority: bool = False) -> tuple[list[tuple[int, float]], int]:
    """Each session: (arrival, duration, priority). Returns (index, start) in order of start
    and the largest number busy at once."""
    env = simpy.Environment()
    pool = StaffPool(env, capacity, priority=priority)
    started: list[tuple[int, float]] = []
    busy = [0, 0]

    def session(k: int, arrive: float, hours: float, prio: int):
        yield env.timeout(arrive)
        wait = pool.acquire(prio) if priority else pool.acquire()
        if wait is not None:
            yield wait
        started.append((k, env.now))
        busy[0] += 1
        busy[1] = max(busy[1], busy[0])
        yield env.timeout(hours)
        busy[0] -= 1
        pool.release()

    for k, (arrive, hours, prio) in enumerate(sessions):
        env.process(session(k, arrive, hours, prio))
    env.run()
    return started, busy[1]


def test_a_free_server_is_granted_at_once_without_an_event() -> None:
    env = simpy.Environment()
    pool = StaffPool(env, 2)
    assert pool.acquire() is None and pool.acquire() is None
    wait = pool.acquire()
    assert isinstance(wait, simpy.Event) and not wait.triggered and pool.waiting == 1
    pool.release()
    assert wait.triggered and pool.free == 0
    pool.release()
    pool.release()
    assert pool.free == 2


def test_first_come_first_served() -> None:
    started, _ = run_sessions(1, [(0.0, 5.0, 0), (1.0, 1.0, 0), (2.0, 1.0, 0), (3.0, 1.0, 0)])
    assert [k for k, _ in started] == [0, 1, 2, 3]
    assert [t for _, t in started] == [0.0, 5.0, 6.0, 7.0]


def test_priority_first_then_arrival() -> None:
    started, _ = run_sessions(1, [(0.0, 5.0, 0), (1.0, 1.0, 0), (2.0, 1.0, -1), (3.0, 1.0, -1)],
                              priority=True)
    assert [k for k, _ in started] == [0, 2, 3, 1]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(capacity=st.integers(1, 4),
       sessions=st.lists(st.tuples(st.floats(0, 20), st.floats(0, 5), st.integers(-1, 0)),
                         min_size=1, max_size=30),
       priority=st.booleans())
def test_never_more_busy_than_servers_and_every_session_served(capacity, sessions, priority) -> None:  # type: ignore[no-untyped-def]
    started, most = run_sessions(capacity, sessions, priority)
    assert most <= capacity
    assert sorted(k for k, _ in started) == list(range(len(sessions)))
    for k, t in started:
        assert t >= sessions[k][0]
    if not priority:
        # FIFO: sessions that had to wait start in order of arrival (ties: in order of asking)
        waited = [(sessions[k][0], k, t) for k, t in started if t > sessions[k][0]]
        assert [t for _, _, t in sorted(waited)] == sorted(t for _, _, t in waited)
