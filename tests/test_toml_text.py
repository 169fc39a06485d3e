"""Scenarios written as TOML read back to the same scenario."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim.scenario import load_scenario, parse_scenario, scenario_data
from govsim.scenario.toml_text import scenario_toml, to_toml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_a_shipped_scenario_round_trips(path: Path) -> None:
    s = load_scenario(path)
    text = scenario_toml(s, header=f"written from {path.name}\nsecond line")
    assert text.startswith("# written from")
    again = parse_scenario(tomllib.loads(text))
    assert scenario_data(again) == scenario_data(s)


KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
SCALARS = (st.booleans() | st.integers(-(2**63), 2**63 - 1)
           | st.floats(allow_nan=False) | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
           | st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)))
VALUES = st.recursive(
    SCALARS | st.lists(SCALARS, max_size=4),
    lambda inner: st.dictionaries(KEYS, inner, max_size=4)
    | st.lists(st.dictionaries(KEYS, inner, min_size=1, max_size=3), min_size=1, max_size=3),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(data=st.dictionaries(KEYS, VALUES, max_size=5))
def test_any_plain_table_round_trips(data) -> None:
    assert tomllib.loads(to_toml(data)) == data


def test_special_floats_and_none() -> None:
    back = tomllib.loads(to_toml({"a": math.inf, "b": -math.inf, "c": None, "d": [1.5, None]}))
    assert back["a"] == math.inf and back["b"] == -math.inf and "c" not in back
    assert back["d"] == [1.5]
    assert math.isnan(tomllib.loads(to_toml({"x": math.nan}))["x"])


def test_keys_that_need_quotes() -> None:
    data = {"0\n": {}, "a b": 1, "名": "值", "x-y_z": [1, 2]}
    assert tomllib.loads(to_toml(data)) == data


def test_numpy_numbers_are_written_as_plain_numbers() -> None:
    import numpy as np

    data = {"f": np.float64(1.5), "i": np.int64(3), "b": np.bool_(True), "l": [np.float32(0.25)]}
    assert tomllib.loads(to_toml(data)) == {"f": 1.5, "i": 3, "b": True, "l": [0.25]}
