"""Rule group ``callbacks``: a satisfaction callback after every result, and reopening.

Layer: scenario. With ``callback`` the centre calls the citizen after every result; a result
too late, or none at all, is rated dissatisfied, and a patch or a paper closure reopens the
case. ``reopened_requires_real_fix``: a reopened case must be fixed for real, not patched.
Behaviour: :meth:`govsim.model.case.RegimeRun.case` and
:meth:`~govsim.model.case.RegimeRun.reopen`.
"""

from __future__ import annotations

from govsim.scenario.rules.group import NO_DEFAULT, RuleGroup

__all__ = ["GROUP"]

GROUP = RuleGroup(
    name="callbacks",
    label="satisfaction callbacks",
    label_zh="满意度回访",
    order=80,
    keys={"callback": (bool, NO_DEFAULT), "reopened_requires_real_fix": (bool, NO_DEFAULT)},
    presets={
        "fragmented": {"callback": False, "reopened_requires_real_fix": False},
        # a satisfaction callback after every result
        "consolidated": {"callback": True, "reopened_requires_real_fix": True},
    },
)
