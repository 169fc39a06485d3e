"""Fuzzing the input paths (hypothesis): every mutation of a shipped scenario either validates
or is refused as a GovsimError with a key path -- never another exception -- and so does every
mix of arguments to the Python API; a mutated scenario that validates also runs.

The budget is fixed (``max_examples``) and the search is derandomised, so CI runs the same
cases every time; raise ``GOVSIM_FUZZ_EXAMPLES`` to search longer locally.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from _factory import minimal_example_toml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govsim
from govsim.errors import GovsimError
from govsim.scenario import load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {p.stem: tomllib.loads(p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "scenarios").glob("*.toml"))}
SCENARIOS["minimal"] = tomllib.loads(minimal_example_toml())
SCALE = int(os.environ.get("GOVSIM_FUZZ_EXAMPLES", "1"))

FUZZ = settings(max_examples=300 * SCALE, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: values of every kind a TOML file (or a careless dict) can hold, extremes included
VALUES = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, -1, 2**63, 10**23, 1e300, -1e300, 1e-300, math.inf, -math.inf,
                     math.nan, 0.0, -0.0, 0.5, 1.5, 1e9]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["", "24h", "08:30-17:30", "25:00-26:00", "none",
                                           "CN", "fragmented", "consolidated", "release"]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.lists(st.integers(-5, 5), max_size=13),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into ``node`` (tables, arrays and values)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(data: dict[str, Any], draw: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        kind = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap", "empty"]))
        if kind == "replace":
            parent[key] = draw(VALUES)
        elif kind == "delete":
            del parent[key]
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
        elif kind == "wrap":
            parent[key] = [parent[key]] if draw(st.booleans()) else {"x": parent[key]}
        elif kind == "empty":
            parent[key] = {} if isinstance(parent[key], dict) else []
    return data


#: legal-looking numbers, extremes of the legal ranges included
NUMBERS = st.one_of(st.sampled_from([0, 0.0, 1e-9, 0.001, 0.5, 1, 1.0, 2, 3, 12, 100, 1e4,
                                     36525, 1e7]),
                    st.floats(min_value=0.0, max_value=50.0), st.integers(1, 40))


def _tweak(data: dict[str, Any], draw: Any) -> dict[str, Any]:
    """Change one to four numbers or switches to other legal-looking values: most results
    validate, so the engine meets extreme but admissible parameters."""
    data = copy.deepcopy(data)
    leaves = [p for p in _paths(data) if isinstance(_get(data, p), int | float)]
    for path in draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=4, unique=True)):
        parent = _get(data, path[:-1])
        old = parent[path[-1]]
        if isinstance(old, bool):
            parent[path[-1]] = not old
        else:
            new = draw(NUMBERS)
            parent[path[-1]] = int(new) if isinstance(old, int) else float(new)
    return data


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        data = data[k]
    return data


def _is_key_path_error(exc: GovsimError) -> bool:
    problems = getattr(exc, "problems", None) or [(exc.path, exc.message)]
    return all(path and sentence and "\n" not in sentence for path, sentence in problems)


TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "scenarios").glob("*.toml"))}


@FUZZ
@given(name=st.sampled_from(sorted(TEXTS)), data=st.data())
def test_a_mutated_scenario_file_is_read_or_refused(name: str, data: st.DataObject,
                                                   tmp_path_factory: pytest.TempPathFactory,
                                                   ) -> None:
    """Edits of the file's text: brackets, quotes, comments and digits put in, pieces cut
    out or repeated."""
    text = TEXTS[name]
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        kind = data.draw(st.sampled_from(["insert", "cut", "repeat"]))
        if kind == "insert":
            text = text[:at] + data.draw(st.text(alphabet="[]{}\"'#=.,\n\\0123456789ae-:",
                                                 min_size=1, max_size=60)) + text[at:]
        elif kind == "cut":
            text = text[:at] + text[at + data.draw(st.integers(1, 200)):]
        else:
            piece = text[at:at + data.draw(st.integers(1, 300))]
            text = text[:at] + piece * data.draw(st.integers(2, 50)) + text[at:]
    f = tmp_path_factory.mktemp("fuzz") / f"{name}.toml"
    f.write_text(text, encoding="utf-8")
    try:
        load_scenario(f)
    except GovsimError as exc:
        assert _is_key_path_error(exc), (exc.path, exc.message)


@FUZZ
@given(name=st.sampled_from(sorted(SCENARIOS)), data=st.data())
def test_a_mutated_scenario_validates_or_names_its_key(name: str, data: st.DataObject) -> None:
    mutated = _mutate(SCENARIOS[name], data.draw)
    try:
        parse_scenario(mutated)
    except GovsimError as exc:
        assert _is_key_path_error(exc), (exc.path, exc.message)


@settings(max_examples=100 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(["minimal", "district", "shishi_12345", "shanghai_leak"]),
       data=st.data())
def test_a_changed_scenario_that_validates_also_runs(name: str, data: st.DataObject) -> None:
    mutated = _tweak(SCENARIOS[name], data.draw)
    world = mutated.get("world")
    if isinstance(world, dict) and isinstance(world.get("horizon_days"), int):
        world["horizon_days"] = max(1, min(world["horizon_days"], 5))  # keep each run short
    try:
        s = parse_scenario(mutated)
    except GovsimError:
        return
    try:
        # a small budget: whatever is larger than a few thousand cases is refused, not run
        res = govsim.run(s, replications=1, seed=1, executor="serial", memory_budget=0.05)
    except GovsimError as exc:
        assert exc.path == "memory_budget", (exc.path, exc.message)
        return
    assert len(res.metrics) == 1
    states = set(res.cases["state"].astype(str)) if len(res.cases) else set()
    assert states <= {"resolved", "abandoned", "open"}


ARGUMENTS = {
    "replications": st.one_of(st.integers(-2, 3), st.sampled_from([1.5, "2", True, None])),
    "seed": st.one_of(st.integers(-3, 10**20), st.sampled_from([1.5, "1", False, None])),
    "jobs": st.sampled_from([None, 1, 0, -2, 1.0, "1", True]),
    "horizon_days": st.sampled_from([None, 1, 3, 0, -1, 2.5, "3", True, 10**9]),
    "warmup_days": st.sampled_from([0, 0.5, -1, 3, 100, "1", True, math.nan, None]),
    "executor": st.sampled_from(["serial", "threads", 3, None]),
    "record_events": st.sampled_from([True, False, "no", 0, None]),
    "memory_budget": st.sampled_from([None, 1, 0, -1, "8", math.inf, True]),
    "regimes": st.sampled_from([None, ["fragmented", "consolidated"], ["consolidated"],
                                "fragmented", ["nosuch", "fragmented"], [1], []]),
    "baseline": st.sampled_from([None, "consolidated", "nosuch", 3]),
    "progress": st.sampled_from([None, lambda done, total: None, "bar", 3]),
    "scheduler": st.sampled_from([None, "tcp://127.0.0.1:1", 8786]),
}


@settings(max_examples=60 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(kwargs=st.fixed_dictionaries({}, optional=ARGUMENTS))
def test_the_python_api_refuses_bad_arguments_by_name(kwargs: dict[str, Any]) -> None:
    small = copy.deepcopy(SCENARIOS["minimal"])
    small["world"]["horizon_days"] = 3
    kwargs = {"replications": 1, **kwargs}
    if kwargs.get("replications") is None:
        kwargs.pop("replications")
        kwargs["replications"] = 1
    try:
        res = govsim.compare(small, **kwargs)
    except GovsimError as exc:
        # the error blames an argument that was given (a horizon beyond what a scenario may
        # have is reported at the scenario's key)
        blamable = set(kwargs) | ({"world.horizon_days"} if "horizon_days" in kwargs else set())
        assert exc.path in blamable, (exc.path, exc.message, kwargs)
        return
    assert len(res.metrics) == 2 * res.replications
