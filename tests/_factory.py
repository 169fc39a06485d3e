"""Small scenarios built in code for targeted tests of one mechanism at a time."""

from __future__ import annotations

import copy
import datetime as dt
import re
import signal
from typing import Any

from govsim.scenario import Scenario, parse_scenario

UNITS: dict[str, dict[str, Any]] = {
    "street": {"kind": "street_office", "staff": 5, "hours": "24h", "hourly_cost_yuan": 50.0},
    "owner": {"kind": "property_company", "staff": 5, "hours": "24h", "hourly_cost_yuan": 40.0},
    "bureau": {"kind": "bureau", "staff": 5, "hours": "24h", "hourly_cost_yuan": 60.0},
    "hotline": {"kind": "hotline", "staff": 5, "hours": "24h", "hourly_cost_yuan": 30.0},
    "centre": {"kind": "centre", "staff": 5, "hours": "24h", "hourly_cost_yuan": 30.0},
    "market": {"kind": "market", "staff": 5, "hours": "24h", "hourly_cost_yuan": 30.0},
    "super": {"kind": "supervisory_office", "staff": 2, "hours": "24h", "hourly_cost_yuan": 90.0},
}

CITIZENS = {
    "patience_days": 2.0,
    "give_up_prob": 0.0,
    "escalate_prob": 0.0,
    "knows_owner_prob": 0.0,
    "satisfied_within_days": 10.0,
    "false_closure_discovery_days": 5.0,
}


def category(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"rate_per_day": 5.0, "owners": ["owner"], "work_hours": 1.0}
    base.update(kw)
    return base


def fragmented(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "fragmented",
        "intake_hours": 0.1,
        "channels": [{"name": "owner line", "unit": "owner"}],
        "deflection": {"refer_prob": 0.0, "referral_lost_prob": 0.0},
        "overlap_deflect_prob": 0.0,
    }
    base.update(kw)
    return base


def consolidated(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": "consolidated", "centre": "centre", "accuracy": 1.0,
                            "kb_coverage": 0.0}
    base.update(kw)
    return base


def world_dict(categories: dict[str, Any] | None = None, *, units: dict[str, Any] | None = None,
               citizens: dict[str, Any] | None = None, funds: dict[str, Any] | None = None,
               horizon_days: int = 60, country: str = "none",
               demand: dict[str, Any] | None = None) -> dict[str, Any]:
    c = dict(CITIZENS)
    c.update(citizens or {})
    world = {
        "start": dt.date(2025, 3, 3),
        "horizon_days": horizon_days,
        "calendar": {"country": country},
        "citizens": c,
        "units": copy.deepcopy(units if units is not None else UNITS),
        "funds": funds or {},
        "categories": categories if categories is not None else {"leak": category()},
    }
    if demand is not None:
        world["demand"] = demand
    return world


def scenario(regimes: dict[str, Any], **world_kw: Any) -> Scenario:
    return parse_scenario({"name": "tiny", "world": world_dict(**world_kw), "regimes": regimes})


def assert_one_sentence(message: str) -> None:
    """A plain, one-line, one-sentence message without pydantic's decorations."""
    assert message, "empty message"
    assert message == message.strip()
    assert "\n" not in message
    for noise in ("pydantic", "validation error", "Value error", "[type=", "http"):
        assert noise not in message, f"{noise!r} in {message!r}"
    # a second sentence would start after a full stop with a capital letter
    assert re.search(r"\.\s+[A-Z]", message) is None, message


def default_sigint() -> None:
    """``preexec_fn`` for a child that a test interrupts: Ctrl-C acts as it would in a
    terminal even when the test run itself ignores SIGINT (a shell's background job does, and
    its children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def minimal_example_toml() -> str:
    """The complete example scenario of docs/scenarios.md ("A minimal complete example")."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "scenarios.md").read_text("utf-8")
    section = text[text.index("## A minimal complete example"):]
    start = section.index("```toml\n") + len("```toml\n")
    return section[start:section.index("```", start)]
