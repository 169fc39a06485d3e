"""How units respond to supervision and to load: a property of the world, not of a regime.

Layer: scenario (no SimPy here). The case study names supervision as the mechanism behind
Shishi's figures: the coordination & supervision section urges (督促) every linked unit to
finish on time, and the five monitoring points with yellow and red lights exist "to supervise
government conduct"; it names the failure of internal supervision (政府内部监督机制失效) among
the fragmented system's defects. Whether anyone supervises is a *rule* (``time_limits`` with
``supervision.urge``); how strongly the same units respond when someone does is a fact of the
*world*, the same under every regime -- these keys. None of the strengths is measured in the
case study: each is an assumption, bounded, whose influence ``govsim robustness`` and the
sensitivity analyses measure (docs/scenarios.md, docs/calibration.md).

A unit's propensities to deflect a shared case, to patch instead of fixing, and to close a
ticket on paper are multiplied by

* ``1 - urged_response`` on a case it has been urged about (a monitoring light on its ticket,
  followed up by the section), which it also moves ahead of its other work;
* ``1 - assessed_response`` on every case while it is under assessment: a red light was counted
  against it (a breached limit, a second return, a dissatisfied callback on its result) within
  the last ``assessment_memory_days``;
* ``1 + load_sensitivity x`` (its staff sessions waiting per member of staff), at most 1 in
  all, whoever supervises: a swamped unit cuts corners (off at 0).
"""

from __future__ import annotations

from govsim.scenario.base import Coefficient, PositiveDays, Probability, Strict

__all__ = ["Behaviour"]


class Behaviour(Strict):
    """How strongly units respond to urging, to assessment and to their backlog."""

    #: share by which an urged unit's propensities to deflect, patch or close on paper fall
    urged_response: Probability = 0.5
    #: share by which they fall on every case of a unit under assessment
    assessed_response: Probability = 0.25
    #: how long a red light counted against a unit keeps it under assessment
    assessment_memory_days: PositiveDays = 30.0
    #: how much each waiting staff session per member of staff raises those propensities
    load_sensitivity: Coefficient = 0.0
