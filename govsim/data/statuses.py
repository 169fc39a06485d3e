"""Which statuses of a request log mean closed: read from the words, or listed.

Layer: data. Cities word their statuses their own way: New York's ``Closed``, ``Open``,
``Pending``, ``Assigned``, ``Started``, ``Email Sent``; Baltimore's ``Closed (Duplicate)``,
``Closed (Transferred)``, ``New``; Open311's ``open`` and ``closed``. :func:`read_status` reads
one status as closed, open or neither; :func:`closed_by_status` says, request by request,
whether its status counts as closed -- each distinct status is read once, never each row --
and sums up each status with the reason, for a fit's diagnostics.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CLOSED_WORDS", "OPEN_WORDS", "OPEN_PHRASES", "MAX_SHOWN", "read_status",
           "closed_by_status"]

#: a status whose first word is one of these reads as closed (``Closed (Duplicate)``,
#: ``Resolved``, ``Duplicate``, ``Cancelled by customer``)
CLOSED_WORDS = frozenset({
    "closed", "close", "resolved", "completed", "complete", "done", "cancelled", "canceled",
    "cancel", "duplicate", "rejected", "finished", "fixed", "withdrawn", "declined", "denied",
    "archived", "void", "voided"})
#: a status whose first word is one of these reads as open (``Open``, ``New``, ``Assigned``)
OPEN_WORDS = frozenset({
    "open", "opened", "reopened", "reopen", "new", "assigned", "unassigned", "reassigned",
    "pending", "started", "submitted", "received", "acknowledged", "active", "accepted",
    "scheduled", "waiting", "working", "queued", "initiated", "inprogress", "onhold",
    "investigating", "dispatched", "unverified", "verified", "triaged"})
#: a status that is, or begins with, one of these phrases reads as open (``In Progress``,
#: ``Email Sent``, ``On Hold - awaiting parts``)
OPEN_PHRASES = ("in progress", "email sent", "on hold", "in process", "under review",
                "work in progress", "not started", "not closed", "re opened", "awaiting",
                "to do", "sent to")
#: the statuses listed one by one in a summary; the rarer ones are summed up in one entry
MAX_SHOWN = 50


def read_status(text: Any) -> str | None:
    """``"closed"``, ``"open"`` or ``None`` (neither) for one status.

    Its words are compared in lower case without punctuation: a first word among
    :data:`CLOSED_WORDS` reads as closed (``Closed (Transferred)``), a first word among
    :data:`OPEN_WORDS` or a beginning among :data:`OPEN_PHRASES` as open (``Email Sent``);
    anything else (``Transferred``, a blank) reads as neither.
    """
    words = re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split()
    if not words:
        return None
    if words[0] in CLOSED_WORDS:
        return "closed"
    phrase = " ".join(words)
    if words[0] in OPEN_WORDS or "".join(words) in OPEN_WORDS \
            or any(phrase == p or phrase.startswith(p + " ") for p in OPEN_PHRASES):
        return "open"
    return None


def closed_by_status(status: pd.Series, has_close: np.ndarray,
                     closed_statuses: frozenset[str] | None = None
                     ) -> tuple[np.ndarray, dict[str, dict[str, Any]]]:
    """Whether each request's status counts as closed, and a summary by status.

    Parameters
    ----------
    status : pandas.Series
        The requests' statuses (compared stripped; a blank or missing one is ``""``).
    has_close : numpy.ndarray
        Whether each request has a close time.
    closed_statuses : frozenset of str, optional
        Statuses that mean closed, stripped and in lower case
        (:func:`~govsim.data.arguments.check_statuses`), matched exactly without case; every
        other status is open. ``None`` reads each status (:func:`read_status`): one that reads
        as closed is closed, one that reads as open is open, and one that reads as neither
        counts as closed for a request that has a close time.

    Returns
    -------
    tuple of (numpy.ndarray, dict)
        The per-request mask (``True``: the status counts as closed; the caller still needs a
        close time to use it), and for each status, the commonest first, ``{"requests": n,
        "closed": bool, "why": ...}`` where ``why`` is ``"reads as closed"``, ``"reads as
        open"``, ``"has a close time"`` (a status that reads as neither: ``"has no close
        time"``, or ``"closed when it has a close time (k of n)"`` when only some have one),
        ``"listed"`` or ``"not listed"``. Beyond the :data:`MAX_SHOWN` commonest, the rest are
        summed up under ``"(N other statuses)"``.
    """
    text = status.astype("string").str.strip().fillna("")
    codes, uniques = pd.factorize(text, sort=False)
    n = len(uniques)
    has_close = np.asarray(has_close, dtype=bool)
    requests = np.bincount(codes, minlength=n)
    timed = np.bincount(codes, weights=has_close, minlength=n).astype(np.int64)
    says = np.zeros(n, dtype=bool)
    depends = np.zeros(n, dtype=bool)
    why: list[str] = []
    for k, value in enumerate(uniques):
        if closed_statuses is not None:
            says[k] = str(value).lower() in closed_statuses
            why.append("listed" if says[k] else "not listed")
            continue
        verdict = read_status(value)
        says[k] = verdict == "closed"
        depends[k] = verdict is None
        if verdict is not None:
            why.append(f"reads as {verdict}")
        elif timed[k] == requests[k]:
            why.append("has a close time")
        elif timed[k] == 0:
            why.append("has no close time")
        else:
            why.append(f"closed when it has a close time ({timed[k]:,} of {requests[k]:,})")
    mask = says[codes] | (depends[codes] & has_close)
    order = sorted(range(n), key=lambda k: (-requests[k], str(uniques[k])))
    summary = {str(uniques[k]): {"requests": int(requests[k]),
                                 "closed": bool(says[k] or (depends[k] and timed[k] > 0)),
                                 "why": why[k]} for k in order[:MAX_SHOWN]}
    rest = order[MAX_SHOWN:]
    if rest:
        summary[f"({len(rest):,} other statuses)"] = {
            "requests": int(requests[rest].sum()), "closed": bool(mask[np.isin(codes, rest)].any()),
            "why": "mixed"}
    return mask, summary
