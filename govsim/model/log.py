"""Append-only columnar logs written by the model's processes.

Layer: model. The hot loop appends plain Python ints and floats to lists, compacted now and
then into typed NumPy chunks; nothing here builds a DataFrame (that happens once, in
:mod:`govsim.recording`, after the run).

Activity codes are small ints; :data:`ACTIVITIES` maps them to the names that appear in the
event log's ``concept:name`` column.
"""

from __future__ import annotations

import numpy as np

from govsim.errors import GovsimError
from govsim.moved import renamed
from govsim.scenario.rules import GROUPS

__all__ = ["ACTIVITIES", "activity_code", "Act", "COLUMNS", "Log", "MONEY_KINDS", "MoneyKind", "WORK_KINDS", "Work",
           "MONITORING_POINTS", "LIGHT_COLOURS", "YELLOW", "RED"]


class Act:
    """Activity codes of the event log (see ``docs/architecture.md`` for their meaning)."""

    FILE = 0  # the citizen files through a channel (a contact)
    TICKET = 1  # a unit opens a ticket
    DEFLECT = 2  # "not ours": the citizen is told to go elsewhere
    REFER = 3  # the unit passes the case to another unit without follow-up
    REFERRAL_LOST = 4  # a referral that nobody acts on
    SURFACE_FIX = 5  # a repair that quiets the case for a while
    RECURRENCE = 6  # the problem comes back after a surface fix
    STALL = 7  # the real fix needs money that is not available
    FALSE_CLOSURE = 8  # a ticket marked resolved while the problem remains
    ESCALATE = 9  # the citizen climbs one rung of the ladder
    MEETING = 10  # a coordination meeting is held
    ADVANCE = 11  # a unit advances money it does not owe
    RECOVERY = 12  # an advance is paid back
    RESOLVED = 13  # the problem is truly solved
    ABANDON = 14  # the citizen gives up
    KB_ANSWER = 15  # answered at intake from the knowledge base
    HANDOFF = 16  # market/social matter handed to an organisation
    DISPATCH = 17  # the centre dispatches the case to a unit
    SIGN = 18  # the unit signs for the ticket
    RETURN = 19  # the unit returns a case it does not own
    CONTACT = 20  # the unit contacts the citizen
    DISPUTE = 21  # a partial owner disputes ownership
    ADJUDICATE = 22  # the adjudication group names the owner (precedent)
    FUND_RELEASE = 23  # the missing money is released from its proper source
    CALLBACK = 24  # satisfaction callback
    REOPEN = 25  # a case is reopened (dissatisfied callback or repeat contact)
    FINISH = 26  # the unit reports the ticket finished
    WORK_START = 27  # a staff member starts the real fix
    CALL_ABANDONED = 28  # the caller hangs up before a call-taker answers
    CLOSE_UNRESOLVED = 29  # a non-owner opens a ticket and closes it unresolved
    SHARE_DONE = 30  # a partial owner does its share of an overlapping-duty fix
    NO_RESULT = 31  # a meeting ends without result
    ADOPTED = 32  # a suggestion is adopted


_OWN_ACTIVITIES: tuple[str, ...] = tuple(
    name.lower()
    for name, _ in sorted(
        ((k, v) for k, v in vars(Act).items() if k.isupper()), key=lambda kv: kv[1]
    )
)
#: every activity by its code: govsim's own (:class:`Act`), then those the rule groups add
#: (:attr:`govsim.scenario.rules.RuleGroup.activities`), whose codes follow in group order
ACTIVITIES: tuple[str, ...] = _OWN_ACTIVITIES + tuple(
    a.name for g in GROUPS for a in g.activities)
if len(set(ACTIVITIES)) < len(ACTIVITIES) or len(ACTIVITIES) > 127:
    raise GovsimError("a rule group's activity repeats another's, or there are more than 127",
                      "govsim.rules")


def activity_code(name: str) -> int:
    """The code of activity ``name`` in the event log (a rule group's own activities too)."""
    return ACTIVITIES.index(name)


#: monitoring points (Shishi's five) and light colours
MONITORING_POINTS: tuple[str, ...] = ("sign_for", "reply", "handling", "returned", "dissatisfied")
SIGN_FOR, REPLY, HANDLING, RETURNED, DISSATISFIED = range(5)
LIGHT_COLOURS: tuple[str, ...] = ("yellow", "red")
YELLOW, RED = 0, 1


class Work:
    """What staff hours in the staff ledger were spent on. Only ``SEATED`` hours hold one of
    the unit's servers (a staff session: intake, return, sign and contact, a fix); the others
    are costed but hold no server."""

    SEATED = 0
    MEETING = 1  # a coordination meeting (each attendee)
    ADJUDICATION = 2  # the adjudication group's members on a disputed case
    SUPERVISION = 3  # the supervision section chasing a red light
    CALL = 4  # a call-taker answering the citizen


WORK_KINDS: tuple[str, ...] = ("seated", "meeting", "adjudication", "supervision", "call")


class MoneyKind:
    """Kinds of money movement in the cost ledger."""

    REAL_FIX = 0
    SURFACE_FIX = 1
    ADVANCE = 2
    RECOVERY = 3


MONEY_KINDS: tuple[str, ...] = ("real_fix", "surface_fix", "advance", "recovery")


#: every column of :class:`Log` and the compact type it is stored as between appends
COLUMNS: dict[str, str] = {
    "ev_case": "int32", "ev_act": "int8", "ev_time": "float64", "ev_unit": "int16",
    "st_case": "int32", "st_unit": "int16", "st_hours": "float64", "st_share": "float64",
    "st_purpose": "int8", "st_time": "float64",
    "m_case": "int32", "m_payer": "int16", "m_amount": "float64", "m_share": "float64",
    "m_kind": "int8", "m_time": "float64",
    "l_case": "int32", "l_unit": "int16", "l_point": "int8", "l_colour": "int8",
    "l_time": "float64",
}


class Log:
    """Columnar event log, staff-time ledger and money ledger of one run.

    The hot loop appends plain Python numbers to one list per column (the fastest append
    there is). Every so often, outside the hot loop, :meth:`compact` moves what the lists
    hold into typed NumPy chunks (about 15 bytes an event instead of about 45), so a long run
    holds its log compactly; :meth:`column` gives a whole column as one array.
    """

    __slots__ = (*COLUMNS, "record_events", "_chunks", "rulings")

    def __init__(self, record_events: bool = True) -> None:
        self.record_events = record_events
        self._chunks: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
        self.ev_case: list[int] = []
        self.ev_act: list[int] = []
        self.ev_time: list[float] = []
        self.ev_unit: list[int] = []
        self.st_case: list[int] = []
        self.st_unit: list[int] = []
        self.st_hours: list[float] = []
        self.st_share: list[float] = []
        self.st_purpose: list[int] = []  # a :class:`Work` kind (only SEATED holds a server)
        self.st_time: list[float] = []  # when the hours were spent (the session's end)
        self.m_case: list[int] = []
        self.m_payer: list[int] = []
        self.m_amount: list[float] = []
        self.m_share: list[float] = []
        self.m_kind: list[int] = []
        self.m_time: list[float] = []  # when the money moved (hours from the start)
        self.l_case: list[int] = []
        self.l_unit: list[int] = []
        self.l_point: list[int] = []
        self.l_colour: list[int] = []
        self.l_time: list[float] = []
        #: adjudication rulings, at most one per category: (category, the unit it names, the
        #: time, the staff and money ledgers' row counts then -- rows after them are recorded
        #: from the ruling on)
        self.rulings: list[tuple[int, int, float, int, int]] = []

    def rows(self, name: str) -> int:
        """How many values column ``name`` holds so far (compacted or not)."""
        return sum(len(chunk) for chunk in self._chunks[name]) + len(getattr(self, name))

    def ruling(self, category: int, unit: int, time: float) -> None:
        """An adjudication ruling made ``unit`` the only owner of ``category`` at ``time``
        (once per category and run: not in the hot loop)."""
        self.rulings.append((category, unit, time, self.rows("st_case"), self.rows("m_case")))

    def compact(self) -> None:
        """Move the appended values into typed chunks (the lists are emptied in place, so
        bound ``append`` methods stay valid)."""
        chunks = self._chunks
        for name, dtype in COLUMNS.items():
            values = getattr(self, name)
            if values:
                chunks[name].append(np.array(values, dtype=dtype))
                values.clear()

    def column(self, name: str, release: bool = False) -> np.ndarray:
        """The whole column ``name`` as one array of its compact type. ``release``: drop the
        log's own copy as it is read (the log is then spent)."""
        self.compact()
        parts = self._chunks[name]
        out = np.concatenate(parts) if len(parts) > 1 else (
            parts[0] if parts else np.empty(0, dtype=COLUMNS[name]))
        if release:
            self._chunks[name] = []
        return out

    def event(self, case: int, act: int, time: float, unit: int) -> None:
        if self.record_events:
            self.ev_case.append(case)
            self.ev_act.append(act)
            self.ev_time.append(time)
            self.ev_unit.append(unit)

    def staff(self, case: int, unit: int, hours: float, share: float, time: float,
              purpose: int = 0) -> None:
        self.st_time.append(time)
        self.st_case.append(case)
        self.st_unit.append(unit)
        self.st_hours.append(hours)
        self.st_share.append(share)
        self.st_purpose.append(purpose)

    def light(self, case: int, unit: int, point: int, colour: int, time: float) -> None:
        self.l_case.append(case)
        self.l_unit.append(unit)
        self.l_point.append(point)
        self.l_colour.append(colour)
        self.l_time.append(time)

    def money(self, case: int, payer: int, amount: float, share: float, kind: int,
              time: float) -> None:
        self.m_time.append(time)
        self.m_case.append(case)
        self.m_payer.append(payer)
        self.m_amount.append(amount)
        self.m_share.append(share)
        self.m_kind.append(kind)


__getattr__ = renamed(__name__)  # old names, for one release (govsim.moved.RENAMED)
