"""A page for a class without code: ``govsim classroom`` (:mod:`govsim.cli.classroom`).

Layer: interfaces. A local web app, served by the standard library on 127.0.0.1, where a
regime's rules are switches and sliders with plain labels (:mod:`govsim.classroom.controls`)
and the results -- the paired comparison with intervals, the survival and cost figures and one
household's journey (:mod:`govsim.classroom.lesson`) -- follow them, in English or Chinese
(:mod:`govsim.classroom.page`, :mod:`govsim.classroom.server`). See docs/classroom.md.
"""

from __future__ import annotations

from govsim.classroom.controls import Control, changes_from, controls_for

__all__ = ["Control", "controls_for", "changes_from"]
