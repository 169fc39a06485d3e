"""A whole scenario around a learnt world: the world plus default regimes to compare.

Layer: data. A request log says what the city is, not how it could be governed, so the regimes
are choices: by default the two presets, ``fragmented`` (each owner agency answers a line of its
own) and ``consolidated`` (one centre takes every contact, with the preset's dispatch within a
working day, working-day limits and callbacks), and ``as_logged``, the regime a 311 log itself
comes from: ``consolidated`` with every case dispatched at once, as a 311 system sends requests
to agencies (:func:`govsim.data.work_fit.fit_work` fits the work under it). The consolidated regime needs a unit of
kind ``centre``, which a log of agencies does not list, so one is added (named ``centre``, or
``centre 2`` ... if an agency has that name), open round the clock, with ``centre_staff``
seats. Pass ``regimes`` to write your own.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from govsim.data.learnt import Learnt
from govsim.errors import GovsimError

__all__ = ["scenario_from_fit", "regime_scenario", "DEFAULT_REGIMES", "AS_LOGGED_LABEL"]

#: the regimes written by default, in this order (the first is the comparison's baseline)
DEFAULT_REGIMES = ("fragmented", "consolidated", "as_logged")
#: the name a regime given as a table runs under (:func:`regime_scenario`)
GIVEN = "given"
#: the label of the default ``as_logged`` regime
AS_LOGGED_LABEL = "the log's own: a 311 centre that dispatches at once"
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


def scenario_from_fit(fit: Learnt, *, name: str = "from-requests", description: str = "",
                      regimes: Mapping[str, Any] | None = None, centre_staff: int | None = None,
                      validate: bool = True,
                      world: Mapping[str, Any] | None = None) -> dict[str, Any]:
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
        agency, ``consolidated`` and ``as_logged`` with a centre added to the world.
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
    world = copy.deepcopy(dict(fit.world if world is None else world))
    units = world["units"]
    owners = list(dict.fromkeys(o for c in world["categories"].values() for o in c["owners"]))
    add_centre = regimes is None or centre_staff is not None
    centre = _centre_name(units)
    if add_centre:
        if centre_staff is None:
            centre_staff = _centre_seats(fit)
        if not isinstance(centre_staff, int) or isinstance(centre_staff, bool) or centre_staff < 1:
            raise GovsimError(f"must be a whole number >= 1, got {centre_staff!r}", "centre_staff")
        units[centre] = {"kind": "centre", "staff": centre_staff, "hours": "24h",
                         "label": "added by govsim.data: a log lists no intake centre"}
    if regimes is None:
        regimes = {
            "fragmented": {"preset": "fragmented",
                           "channels": [{"name": f"{o} line", "unit": o} for o in owners]},
            "consolidated": {"preset": "consolidated", "centre": centre},
            "as_logged": {"preset": "consolidated", "centre": centre,
                          "dispatch_within_working_days": 0.0, "label": AS_LOGGED_LABEL},
        }
    data = {"name": name, "description": description or (
        f"Learnt from a request log of {fit.diagnostics['requests_used']} requests"),
        "world": world, "regimes": copy.deepcopy(dict(regimes))}
    if validate:
        from govsim.scenario.parse import parse_scenario

        parse_scenario(data)
    return data


def regime_scenario(fit: Learnt, world: Mapping[str, Any],
                    regime: str | Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """A scenario of ``world`` to simulate one regime in, and that regime's name: the default
    regime ``regime`` names (:data:`DEFAULT_REGIMES`) alone, or the regime table ``regime``
    as ``"given"`` beside the defaults (so that it may be written ``like`` one of them), with
    the centre added to the world (named as :func:`scenario_from_fit` names it). Not validated
    here (the run does).

    Raises
    ------
    GovsimError
        A name that is not a default regime, or a regime that is not a table (at ``regime``).
    """
    if isinstance(regime, str):
        data = scenario_from_fit(fit, world=world, validate=False)
        if regime not in data["regimes"]:
            raise GovsimError(f"unknown regime {regime!r}; name one of "
                              f"{', '.join(DEFAULT_REGIMES)} or pass a regime table", "regime")
        data["regimes"] = {regime: data["regimes"][regime]}
        return data, regime
    if isinstance(regime, Mapping):
        data = scenario_from_fit(fit, world=world, validate=False)
        data["regimes"][GIVEN] = copy.deepcopy(dict(regime))
        return data, GIVEN
    raise GovsimError(f"must be a regime's name or a regime table, got {type(regime).__name__}",
                      "regime")


def _centre_seats(fit: Learnt) -> int:
    daily = fit.diagnostics["requests_used"] / max(fit.diagnostics["window_days"], 1)
    busy = fit.diagnostics["assumptions"]["utilisation"]
    return max(1, math.ceil(daily * _CONTACTS_PER_CASE * _INTAKE_HOURS / 24.0 / busy))
