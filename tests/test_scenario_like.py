"""A regime written as `like = "OTHER"` plus overrides (govsim.scenario.parse)."""

from __future__ import annotations

from typing import Any

import pytest

from govsim.errors import GovsimError
from govsim.scenario import parse_scenario
from tests._factory import consolidated, fragmented, world_dict


def data(**regimes: Any) -> dict[str, Any]:
    return {"name": "like", "world": world_dict(), "regimes": regimes}


def test_like_copies_the_other_regime_and_lays_its_own_keys_over_it() -> None:
    base = consolidated(funding={"mode": "advance", "advancer": "street"}, accuracy=0.7)
    s = parse_scenario(data(a=base, b={"like": "a", "accuracy": 0.9,
                                       "funding": {"when": "meeting"}}))
    a, b = s.regimes["a"], s.regimes["b"]
    assert b.preset == "consolidated" and b.accuracy == 0.9 and a.accuracy == 0.7
    # a table is merged key by key: the advancer comes from 'a', 'when' from 'b'
    assert b.funding.advancer == "street" and b.funding.when == "meeting"
    assert a.funding.when == "ticket"


def test_like_chains_resolve() -> None:
    s = parse_scenario(data(a=fragmented(), b={"like": "a", "record": "tracking"},
                            c={"like": "b", "false_closure_prob": 0.5}))
    assert s.regimes["c"].record == "tracking" and s.regimes["c"].false_closure_prob == 0.5


@pytest.mark.parametrize(("regimes", "message"), [
    ({"a": fragmented(), "b": {"like": "nope"}}, "names no regime"),
    ({"a": {"like": "b"}, "b": {"like": "a"}}, "circle"),
    ({"a": fragmented(), "b": {"like": 3}}, "names no regime"),
])
def test_a_bad_like_is_refused_with_its_key_path(regimes: dict[str, Any], message: str) -> None:
    with pytest.raises(GovsimError, match=message) as err:
        parse_scenario(data(**regimes))
    assert err.value.path.startswith("regimes.") and err.value.path.endswith(".like")
