"""The shapes of request logs: which column holds what, named or detected.

Layer: data. A request log has one row per service request with when it was created, when it
was closed (if it was), the agency that handled it, its complaint type and its status; each
city's export names those columns its own way. :class:`Columns` names them; the presets are
:data:`NYC311` (New York's 311 exports), :data:`OPEN311` (Open311 GeoReport v2 service
requests) and :data:`GENERIC` (``created``, ``closed``, ``agency``, ``category``, ``status``).
:func:`find_columns` picks the columns of a table -- a preset it matches, or each column
detected by a list of :data:`SYNONYMS` (Baltimore's ``CreatedDate``/``SRType``/``SRStatus``,
San Francisco's ``created_date``/``complaint_type``/``agency_name``) -- and says how each was
found; :func:`resolve_columns` returns only the :class:`Columns`. Every problem is a
:class:`~govsim.errors.GovsimError` at ``columns`` or ``columns.FIELD``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from govsim.errors import GovsimError, shown
from govsim.moved import renamed

__all__ = ["Columns", "NYC311", "OPEN311", "GENERIC", "SHAPES", "OPTIONAL", "REQUIRED",
           "SYNONYMS", "normalise", "find_columns", "resolve_columns"]


@dataclass(frozen=True)
class Columns:
    """The names of a request log's columns.

    ``closed`` may be ``None`` (no close time: every request counts as open) and ``status``
    may be ``None`` (a request is closed when it has a close time).
    """

    created: str = "Created Date"
    closed: str | None = "Closed Date"
    agency: str = "Agency"
    category: str = "Complaint Type"
    status: str | None = "Status"


#: New York City 311 Service Requests (NYC Open Data export)
NYC311 = Columns()
#: Open311 GeoReport v2 service requests: ``updated_datetime`` is the close time of a request
#: whose ``status`` is ``closed`` (for an open one it is only its last change)
OPEN311 = Columns(created="requested_datetime", closed="updated_datetime",
                  agency="agency_responsible", category="service_name", status="status")
#: plain names: ``created``, ``closed``, ``agency``, ``category``, ``status``
GENERIC = Columns(created="created", closed="closed", agency="agency", category="category",
                  status="status")
#: the shapes a log may have, by the name ``columns=`` takes
SHAPES = {"nyc311": NYC311, "open311": OPEN311, "generic": GENERIC}
#: the columns a log may go without
OPTIONAL = ("closed", "status")
#: the columns every log needs
REQUIRED = ("created", "agency", "category")
FIELDS = ("created", "closed", "agency", "category", "status")

#: the column names (normalised, :func:`normalise`) each field is detected by, best first: a
#: finer type wins over a coarser one (San Francisco's ``complaint_type`` over its
#: ``category``), an agency's code over its long name (New York's ``Agency`` over ``Agency
#: Name``); an update time (Open311's ``updated_datetime``, San Francisco's
#: ``resolution_action_updated_date``, Baltimore's ``StatusDate``) is not a close time, so it is
#: never detected as one
SYNONYMS: dict[str, tuple[str, ...]] = {
    "created": ("createddate", "created", "createdat", "createddatetime", "createdon",
                "createdtime", "requesteddatetime", "requesteddate", "requestedat", "opened",
                "openeddate", "opendate", "openedat", "opendatetime", "openeddatetime",
                "datecreated", "dateopened", "daterequested", "requestdate", "requestdatetime",
                "reporteddate", "datereported", "submitteddate", "datesubmitted",
                "receiveddate", "datereceived"),
    "closed": ("closeddate", "closedate", "closed", "closedat", "closedon", "dateclosed",
               "closeddatetime", "closedatetime", "closedtime", "closetime", "resolveddate",
               "resolvedat", "resolveddatetime", "dateresolved", "resolutiondate",
               "completeddate", "completiondate", "datecompleted", "completedat"),
    "agency": ("agency", "agencycode", "agencyname", "agencyresponsible", "responsibleagency",
               "assignedagency", "department", "departmentname", "responsibledepartment",
               "dept", "deptname", "division"),
    "category": ("complainttype", "srtype", "servicerequesttype", "requesttype", "servicename",
                 "servicetype", "issuetype", "problemtype", "casetype", "category",
                 "requestcategory", "servicecategory", "type"),
    "status": ("status", "srstatus", "requeststatus", "servicerequeststatus", "casestatus",
               "ticketstatus", "currentstatus"),
}


def normalise(name: Any) -> str:
    """A column name compared for detection: lower case, letters and digits only
    (``"Created Date"``, ``created_date`` and ``CreatedDate`` are all ``createddate``)."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _named(columns: Columns) -> Columns:
    """``columns`` if every name is non-empty text (``closed`` and ``status`` may be None)."""
    for f in dataclasses.fields(Columns):
        name = getattr(columns, f.name)
        if not (isinstance(name, str) and name) and not (name is None and f.name in OPTIONAL):
            raise GovsimError(f"must name a column (text{' or None' if f.name in OPTIONAL else ''}"
                              f"), got {name!r}", f"columns.{f.name}")
    return columns


def _distinct(columns: Columns) -> Columns:
    """``columns`` if no column is named for two fields; else an error at the later field."""
    seen: dict[Any, str] = {}
    for field in FIELDS:
        name = getattr(columns, field)
        if name is not None and name in seen:
            raise GovsimError(f"column {name!r} is already the {seen[name]} column; a column is "
                              "read for one field only, so name another for this one",
                              f"columns.{field}")
        if name is not None:
            seen[name] = field
    return columns


def _listing(df: pd.DataFrame) -> str:
    names = ", ".join(map(str, df.columns[:20]))
    return names + (", ..." if len(df.columns) > 20 else "") if names else "none"


def find_columns(df: pd.DataFrame, columns: Columns | Mapping[str, Any] | str | None
                 ) -> tuple[Columns, dict[str, dict[str, str | None]]]:
    """The :class:`Columns` to read ``df`` with, and how each was found.

    Detection (``columns=None``, and the fields a mapping leaves out) takes, for each field:
    the name of the table's preset (the first of :data:`SHAPES` whose required columns are
    all in the table, else the first whose creation column is) if the table has it; else the
    first column whose :func:`normalise`-d name is among the field's :data:`SYNONYMS`, best
    synonym first (San Francisco's ``complaint_type`` wins over its ``category``, the finer
    type); else the preset's name all the same, so that :func:`~govsim.data.columns.read_log`
    refuses the missing column by name; else, without a preset, ``None`` for ``closed`` and
    ``status`` and an error for the others. No column is taken for two fields: a name given
    for two, or given for one field and the only one found for another (``{"category":
    "Agency"}`` on a New York table), is refused.

    Parameters
    ----------
    df : pandas.DataFrame
        The request table.
    columns : Columns, mapping, str or None
        ``None`` detects every column; a :class:`Columns` is taken as it is; a string names a
        preset (``"nyc311"``, ``"open311"``, ``"generic"``) taken as it is; a mapping names some
        fields (``{"category": "Descriptor"}``, ``{"status": None}``) and the rest are detected.

    Returns
    -------
    tuple of (Columns, dict)
        The columns, and for each field ``{"column": name or None, "how": ...}`` where ``how``
        is ``"given"``, ``"preset nyc311"`` (and the like), ``"synonym 'srtype'"``,
        ``"preset nyc311, not in the table"`` or ``"not found"``.

    Raises
    ------
    GovsimError
        An unknown preset or key, or a name that is not text (path ``columns`` or
        ``columns.KEY``); a required field (``created``, ``agency``, ``category``) that cannot
        be detected (path ``columns.FIELD``); a column named for two fields (path
        ``columns.FIELD``, the field given).
    """
    if isinstance(columns, Columns):
        named = _distinct(_named(columns))
        return named, {f: {"column": getattr(named, f), "how": "given"} for f in FIELDS}
    if isinstance(columns, str):
        key = columns.lower()
        if key not in SHAPES:
            raise GovsimError(f"unknown column preset {columns!r}; expected one of "
                              f"{', '.join(SHAPES)}", "columns")
        return SHAPES[key], {f: {"column": getattr(SHAPES[key], f), "how": f"preset {key}"}
                              for f in FIELDS}
    if columns is not None and not isinstance(columns, Mapping):
        raise GovsimError(f"must be a Columns, a mapping or a preset name ({', '.join(SHAPES)}), "
                          f"got {shown(columns)}", "columns")
    given = dict(columns or {})
    for key in given:
        if key not in FIELDS:
            raise GovsimError(f"unknown key {key!r}; expected some of {', '.join(sorted(FIELDS))}",
                              f"columns.{key}")
    _named(dataclasses.replace(GENERIC, **given))  # the given names are text
    _distinct(Columns(**{f: given.get(f) for f in FIELDS}))  # and name no column twice
    present = set(df.columns)
    base = next((k for k, p in SHAPES.items()
                 if all(getattr(p, f) in present for f in REQUIRED)), None) \
        or next((k for k, p in SHAPES.items() if p.created in present), None)
    taken = {name for name in given.values() if name is not None}
    by_name: dict[str, list[Any]] = {}
    for name in df.columns:
        if isinstance(name, str) and name:
            by_name.setdefault(normalise(name), []).append(name)
    names: dict[str, str | None] = {}
    how: dict[str, dict[str, str | None]] = {}
    for field in FIELDS:
        if field in given:
            names[field], found = given[field], "given"
        elif base is not None and getattr(SHAPES[base], field) in present - taken:
            names[field], found = getattr(SHAPES[base], field), f"preset {base}"
        else:
            hit = next(((word, name) for word in SYNONYMS[field]
                        for name in by_name.get(word, ()) if name not in taken), None)
            if hit is not None:
                names[field], found = hit[1], f"synonym {hit[0]!r}"
            elif base is not None and getattr(SHAPES[base], field) in taken:
                name = getattr(SHAPES[base], field)
                owner = next(f for f in FIELDS if names.get(f, given.get(f)) == name)
                raise GovsimError(f"column {name!r} is already the {field} column (the {base} "
                                  f"preset's, and no other was found); a column is read for one "
                                  f"field only, so name another for the {owner}, or name the "
                                  f"{field} column with columns={{'{field}': ...}}"
                                  + (" (or None)" if field in OPTIONAL else ""),
                                  f"columns.{owner}")
            elif base is not None:
                names[field], found = getattr(SHAPES[base], field), \
                    f"preset {base}, not in the table"
            elif field in OPTIONAL:
                names[field], found = None, "not found"
            else:
                raise GovsimError(f"cannot find the {field} column (none is named like "
                                  f"{', '.join(SYNONYMS[field][:4])} ...); name it with "
                                  f"columns={{'{field}': ...}}; the table's columns are "
                                  f"{_listing(df)}", f"columns.{field}")
        if names[field] is not None:
            taken.add(names[field])
        how[field] = {"column": names[field], "how": found}
    return _named(Columns(**names)), how


def resolve_columns(df: pd.DataFrame, columns: Columns | Mapping[str, Any] | str | None) -> Columns:
    """The :class:`Columns` to read ``df`` with: :func:`find_columns` without the account of
    how each was found.

    Parameters
    ----------
    df : pandas.DataFrame
        The request table.
    columns : Columns, mapping, str or None
        See :func:`find_columns`.

    Returns
    -------
    Columns

    Raises
    ------
    GovsimError
        See :func:`find_columns`.
    """
    return find_columns(df, columns)[0]


__getattr__ = renamed(__name__)  # old names, for one release (govsim.moved.RENAMED)
