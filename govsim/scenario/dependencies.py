"""What a rule setting needs: the settings of other rules without which it means nothing.

Layer: scenario (no SimPy here). A regime may set any rule to any value, and the model runs
every such regime; but some settings only describe an institution when another rule is set a
certain way. :data:`REQUIREMENTS` declares those, each with the model line that makes the
setting meaningless without the other; :func:`unmet_requirements` lists the requirements a
:class:`~govsim.scenario.rules.Regime` leaves unmet and :func:`meaningful` says whether it
leaves none. :func:`govsim.decompose` uses them to group dependent rules and to never run a
variant that mixes two regimes into a meaningless one (:func:`linked_groups`).

*Meaningless* is not *ineffective*. A setting is meaningless when the model gives it a
behaviour the rule does not describe: ``non_owner = "return"`` sends a case back *to whoever
routed it, for re-dispatch*; under ``routing = "citizen"`` nobody re-dispatches, and
:meth:`govsim.model.routing.Routing.by_citizen` turns the return into a bare "not ours" to the
citizen (``return FAILED`` after the ``RETURN`` event) -- a refusal, which is what
``non_owner = "deflect"`` is for. That is the one requirement declared.

A setting that merely changes nothing without another is left undeclared: its variants are
regimes someone could describe, they cost nothing to run, and common random numbers give the
setting exactly zero where it does nothing. Read from the model:

- ``time_limits`` under ``routing = "citizen"``: limits open only on dispatched tickets
  (:meth:`~govsim.model.monitoring.Monitoring.open_limits` is called from
  :meth:`~govsim.model.routing.Routing.dispatch` alone), so without triage they time nothing;
  but the monitoring still lights a dissatisfied callback red and charges the section's hours
  (:meth:`~govsim.model.monitoring.Monitoring.light`, from :meth:`~govsim.model.case.RegimeRun.case`), so it is
  not even always inert -- a centre that supervises callbacks but dispatches nothing.
- ``callback`` under ``routing = "citizen"`` or ``intake = "channels"``: the callback needs a
  centre, which the schema demands and :func:`~govsim.scenario.presets.hybrid` borrows; a
  reopened case goes to its record's owner, compelled
  (:meth:`govsim.model.case.RegimeRun.reopen`) -- a defined behaviour under either routing.
- ``reopened_requires_real_fix`` without ``record = "tracking"`` and without callbacks:
  nothing is ever reopened (``reopened`` in :meth:`~govsim.model.routing.Routing.contact` needs
  a tracking record; the other way in is a callback), so it changes nothing; it shares the
  ``callbacks`` group with ``callback`` anyway.
- ``record = "tracking"`` under ``routing = "citizen"``: the record sends a reopened filing to
  its owner (:meth:`~govsim.model.routing.Routing.by_citizen`) -- a shared case record behind
  many hotlines, a describable institution.
- ``intake = "centre"`` with ``routing = "citizen"`` (a switchboard: the centre passes the case
  to the unit the citizen names, ``named_unit``) and ``routing = "triage"`` with
  ``intake = "channels"`` (each hotline answers from the knowledge base and dispatches): both
  are behaviours the model defines on purpose.
- ``learning`` (knowledge-base growth) without triage: the knowledge base is only read in
  :meth:`~govsim.model.routing.Routing.triage`, so it changes nothing.
- ``overlap = "adjudicate"``: disputes are raised under either routing (``by_citizen`` and
  ``dispatch``); ``funding.mode = "advance"`` without an ``advancer``: nothing is advanced
  (:meth:`~govsim.model.duty.Duty.provide_money`), a setting of the same group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govsim.scenario.presets import RULES

__all__ = ["Requirement", "REQUIREMENTS", "unmet_requirements", "meaningful", "linked_groups"]


@dataclass(frozen=True)
class Requirement:
    """``key = value`` (a key of rule group ``rule``) needs ``needs_key`` to be one of
    ``needs`` (a key of rule group ``needs_rule``); ``why`` says what the setting would mean
    otherwise, and ``where`` the model line that makes it so."""

    rule: str
    key: str
    value: Any
    needs_rule: str
    needs_key: str
    needs: tuple[Any, ...]
    why: str
    where: str
    #: ``why`` in Chinese (tables with ``lang="zh"``)
    why_zh: str = ""

    def unmet(self, regime: Any) -> bool:
        """Whether ``regime`` sets ``key = value`` without one of the settings it needs."""
        return _get(regime, self.key) == self.value and _get(regime, self.needs_key) not in self.needs

    def sentence(self, lang: str = "en") -> str:
        """``non_owner = 'return' needs routing = 'triage' (why)``, in ``lang``."""
        if lang == "zh":
            needs = " 或 ".join(repr(v) for v in self.needs)
            return (f"{self.key} = {self.value!r} 须以 {self.needs_key} = {needs} 为前提"
                    f"（{self.why_zh or self.why}）")
        needs = " or ".join(repr(v) for v in self.needs)
        return f"{self.key} = {self.value!r} needs {self.needs_key} = {needs} ({self.why})"


#: every requirement between rule settings the model knows (see the module's docstring for the
#: settings considered and found merely ineffective)
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        rule="non_owner", key="non_owner", value="return",
        needs_rule="routing", needs_key="routing", needs=("triage",),
        why="a case is returned for re-dispatch; with citizen routing nobody re-dispatches and "
            "the return is a bare 'not ours' to the citizen",
        where="govsim/model/routing.py: Routing.by_citizen (\"not ours\": sent back to whoever "
              "routed it -- here the citizen)",
        why_zh="退回是为了重新派单；由市民自行选择部门时无人重新派单，退回只是对市民说一句“不归我们管”"),
)

for _r in REQUIREMENTS:  # a requirement names keys of the rule groups it names
    assert _r.key.split(".")[0] in RULES[_r.rule], _r
    assert _r.needs_key.split(".")[0] in RULES[_r.needs_rule], _r


def _get(regime: Any, key: str) -> Any:
    value = regime
    for part in key.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def unmet_requirements(regime: Any,
                       requirements: Sequence[Requirement] = REQUIREMENTS) -> list[Requirement]:
    """The requirements of :data:`REQUIREMENTS` that ``regime`` (a
    :class:`~govsim.scenario.rules.Regime`) leaves unmet."""
    return [r for r in requirements if r.unmet(regime)]


def meaningful(regime: Any, requirements: Sequence[Requirement] = REQUIREMENTS) -> bool:
    """Whether the model considers ``regime`` meaningful: it leaves no requirement unmet."""
    return not unmet_requirements(regime, requirements)


def linked_groups(a: Any, b: Any, differing: Iterable[str],
                  requirements: Sequence[Requirement] = REQUIREMENTS,
                  ) -> list[tuple[tuple[str, ...], list[Requirement]]]:
    """The rule groups among ``differing`` that must be attributed together between regimes
    ``a`` and ``b``: the connected components (of two or more groups) of the graph whose edges
    are the requirements that bite -- a requirement between two differing groups such that
    taking one group's settings from one regime and the other's from the other leaves it unmet
    although neither ``a`` nor ``b`` does. Each component comes with its requirements, its
    groups in ``differing``'s order."""
    differing = list(differing)
    parent = {r: r for r in differing}

    def root(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    edges: list[Requirement] = []
    for req in requirements:
        if req.rule == req.needs_rule or req.rule not in parent or req.needs_rule not in parent:
            continue
        if req.unmet(a) or req.unmet(b):
            continue  # an endpoint leaves it unmet: no order avoids it
        # the two mixes: the setting from one regime, what it needs from the other
        mixed = ((_get(a, req.key), _get(b, req.needs_key)),
                 (_get(b, req.key), _get(a, req.needs_key)))
        if any(value == req.value and needed not in req.needs for value, needed in mixed):
            edges.append(req)
            parent[root(req.rule)] = root(req.needs_rule)
    components: dict[str, list[str]] = {}
    for r in differing:
        components.setdefault(root(r), []).append(r)
    out = []
    for members in components.values():
        if len(members) > 1:
            out.append((tuple(members), [e for e in edges if e.rule in members]))
    return out

