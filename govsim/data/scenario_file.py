"""A whole scenario around a learnt world: the world plus default regimes to compare.

Layer: data. A request log says what the city is, not how it could be governed, so the regimes
are choices: by default the two presets, ``fragmented`` (each owner agency answers a line of its
own) and ``consolidated`` (one centre takes every contact, as a 311 centre does, with the
preset's dispatch, working-day limits and callbacks). The consolidated regime needs a unit of
kind ``centre``, which a log of agencies does not list, so one is added (named ``centre``, or
``centre 2`` ... if an agency has that name), open round the clock, with ``centre_staff``
seats. Pass ``regimes`` to write your own.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govsim.errors import GovsimError

if TYPE_CHECKING:
    from govsim.data.requests import RequestFit

__all__ = ["scenario_from_fit", "DEFAULT_REGIMES"]

#: the regimes written by default, in this order (the first is the comparison's baseline)
DEFAULT_REGIMES = ("fragmented", "consolidated")
#: staff-hours of intake per contact under the consolidated preset, and contacts per case
#: assumed when sizing the centre
_INTAKE_HOURS = 0.2
_CONTACTS_PER_CASE = 2.0


def _centre_name(units: Mapping[str, Any]) -> str:
    name, k = "centre", 1
    while name in units:
        k += 1
        name = f"centre {k}"
    return name


def scenario_from_fit(fit: RequestFit, *, name: str = "from-requests", description: str = "",
                      regimes: Mapping[str, Any] | None = None, centre_staff: int | None = None,
                      validate: bool = True) -> dict[str, Any]:
    """A full scenario dict (the ``[world]`` of ``fit`` and regimes) that
    :func:`govsim.parse_scenario` accepts and :func:`govsim.scenario.to_toml` writes.

    Parameters
    ----------
    fit : RequestFit
        The result of :func:`govsim.data.world_from_requests`.
    name, description : str
        The scenario's name and description.
    regimes : mapping, optional
        Regime tables by name (as in a scenario file); default the two presets over the
        learnt units (see the module's notes): ``fragmented`` with one channel per owner
        agency, ``consolidated`` with a centre added to the world.
    centre_staff : int, optional
        Seats of the added centre; default enough for its intake (0.2 staff-hours a contact,
        two contacts a case) to keep it at most ``utilisation`` busy, at least 1. With your own
        ``regimes``, a centre is added only when this is given.
    validate : bool
        Check the result with :func:`govsim.parse_scenario` (a :class:`GovsimError` names the
        key if it is refused).

    Returns
    -------
    dict
        ``name``, ``description``, ``world``, ``regimes``.
    """
    world = copy.deepcopy(fit.world)
    units = world["units"]
    owners = list(dict.fromkeys(o for c in world["categories"].values() for o in c["owners"]))
    add_centre = regimes is None or centre_staff is not None
    centre = _centre_name(units)
    if add_centre:
        if centre_staff is None:
            daily = fit.diagnostics["requests_used"] / max(fit.diagnostics["window_days"], 1)
            busy = fit.diagnostics["assumptions"]["utilisation"]
            centre_staff = max(1, math.ceil(daily * _CONTACTS_PER_CASE * _INTAKE_HOURS / 24.0
                                            / busy))
        if not isinstance(centre_staff, int) or isinstance(centre_staff, bool) or centre_staff < 1:
            raise GovsimError(f"must be a whole number >= 1, got {centre_staff!r}", "centre_staff")
        units[centre] = {"kind": "centre", "staff": centre_staff, "hours": "24h",
                         "label": "added by govsim.data: a log lists no intake centre"}
    if regimes is None:
        regimes = {
            "fragmented": {"preset": "fragmented",
                           "channels": [{"name": f"{o} line", "unit": o} for o in owners]},
            "consolidated": {"preset": "consolidated", "centre": centre},
        }
    data = {"name": name, "description": description or (
        f"Learnt from a request log of {fit.diagnostics['requests_used']} requests"),
        "world": world, "regimes": copy.deepcopy(dict(regimes))}
    if validate:
        from govsim.scenario.parse import parse_scenario

        parse_scenario(data)
    return data
