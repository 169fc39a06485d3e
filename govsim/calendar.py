"""Working days, office hours and working-day deadlines.

Layer: calendar (the bottom layer; used by the model and by analysis).

The simulation clock is in **hours since the scenario's start date at 00:00**. A
:class:`WorkCalendar` holds one boolean per simulated day (``True`` = working day), built once at
load time from the ``holidays`` package -- for China this includes the official make-up working
days that fall on weekends -- and adjusted by the scenario's explicit lists. Everything the model
asks at run time is a table look-up or a binary search on precomputed cumulative sums, so the
hot loop never calls into ``holidays`` or ``datetime``.

An :class:`OfficeHours` object answers three questions for one unit: is it open at clock time
``t``; when does it next open; and when has it accumulated ``h`` hours of open time after ``t``.
A working-day deadline ("finish within 5 working days") is measured on an office-hours clock:
``n`` working days after ``t`` is the moment at which ``n`` full office days of open time have
passed, so a ticket filed at 10:00 on a Friday with a 1-working-day limit is due at 10:00 on the
next working day, and one filed on a Saturday is due at the close of the next working day.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable

import numpy as np

from govsim.errors import GovsimError

__all__ = ["WorkCalendar", "OfficeHours", "parse_hours", "working_day_table", "FIRST_DAY",
           "LAST_DAY"]

HOURS_PER_DAY = 24.0
#: the days a simulation may cover (its horizon and the deadlines after it): a scenario outside
#: them is refused when it is validated
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def parse_hours(spec: str, path: str = "hours") -> tuple[float, float] | None:
    """Parse an office-hours string.

    ``"24h"`` means always open (every day, day and night) and returns ``None``;
    ``"08:30-17:30"`` returns ``(8.5, 17.5)``: open on working days between those clock times.
    """
    text = spec.strip().lower()
    if text in {"24h", "24/7", "always"}:
        return None
    try:
        start_text, end_text = text.split("-")
        opens = _clock(start_text)
        closes = _clock(end_text)
    except ValueError:
        raise GovsimError(
            f"office hours {spec!r} must look like '08:30-17:30' or be '24h'", path
        ) from None
    if not 0.0 <= opens < closes <= HOURS_PER_DAY:
        raise GovsimError(f"office hours {spec!r} must open before they close, within one day", path)
    return opens, closes


def _clock(text: str) -> float:
    hours, minutes = text.strip().split(":")
    value = int(hours) + int(minutes) / 60.0
    if not (0 <= int(minutes) < 60):
        raise ValueError(text)
    return value


def working_day_table(
    start: dt.date,
    n_days: int,
    country: str | None = "CN",
    extra_holidays: Iterable[dt.date] = (),
    extra_workdays: Iterable[dt.date] = (),
    path: str = "world.calendar",
) -> np.ndarray:
    """Return one bool per day from ``start``: ``True`` where the day is a working day.

    Weekends are off, public holidays of ``country`` are off, official make-up working days
    (weekend days worked in exchange for a bridge holiday) are on. ``extra_holidays`` and
    ``extra_workdays`` override the package's data. With ``country=None`` (or ``"none"``) only
    weekends are off.

    A year for which the ``holidays`` package has no official schedule (for China: no make-up
    working day listed, which every year since 2000 has had) is refused unless the scenario lists
    its days itself, because a Monday-to-Friday guess gives wrong deadlines around the holidays.
    """
    days = np.arange(np.datetime64(start, "D"), np.datetime64(start, "D") + n_days)
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    working = weekday < 5
    if country is not None:
        country = country.strip().upper()
        if country in {"", "NONE"}:
            country = None
    extra_holidays = set(extra_holidays)
    extra_workdays = set(extra_workdays)
    if country is not None:
        end_year = (start + dt.timedelta(days=max(n_days - 1, 0))).year
        years = list(range(start.year, end_year + 1))
        try:
            import holidays as holidays_pkg

            table = holidays_pkg.country_holidays(country, years=years)
        except NotImplementedError:
            raise GovsimError(f"the holidays package does not know country {country!r}", path) from None
        makeup = set(getattr(table, "weekend_workdays", set()))
        if country in {"CN", "CHN"}:
            given = extra_holidays | extra_workdays
            for year in years:
                covered = any(d.year == year for d in makeup)
                if not covered and not any(d.year == year for d in given):
                    raise GovsimError(
                        f"the holidays package has no official working-day schedule for {year}; "
                        "shorten the horizon or list that year's days in "
                        "extra_holidays/extra_workdays",
                        path,
                    )
        index = {np.datetime64(d, "D"): None for d in table}
        for k, day in enumerate(days):
            if day in index:
                working[k] = False
        for d in makeup:
            k = (np.datetime64(d, "D") - days[0]).astype(int)
            if 0 <= k < n_days:
                working[k] = True
    for d in extra_holidays:
        k = (np.datetime64(d, "D") - days[0]).astype(int)
        if 0 <= k < n_days:
            working[k] = False
    for d in extra_workdays:
        k = (np.datetime64(d, "D") - days[0]).astype(int)
        if 0 <= k < n_days:
            working[k] = True
    return working


class OfficeHours:
    """Open/closed arithmetic for one office-hours pattern on a working-day table.

    Parameters
    ----------
    working:
        One bool per day (``True`` = working day).
    hours:
        ``(opens, closes)`` in clock hours, or ``None`` for always open (24 h, every day).
    """

    __slots__ = ("always", "opens", "closes", "length", "_working", "_cum", "_n_days")

    def __init__(self, working: np.ndarray, hours: tuple[float, float] | None) -> None:
        self.always = hours is None
        self._n_days = len(working)
        self._working = [bool(w) for w in working]
        if hours is None:
            self.opens, self.closes = 0.0, HOURS_PER_DAY
        else:
            self.opens, self.closes = hours
        self.length = self.closes - self.opens
        # _cum[d] = open hours accumulated before day d (one extra entry for the end).
        per_day = np.where(np.asarray(working, dtype=bool), self.length, 0.0)
        self._cum = [0.0, *np.cumsum(per_day).tolist()]

    def position(self, t: float) -> float:
        """Open hours accumulated between the clock's zero and ``t``."""
        if self.always:
            return t
        day = int(t // HOURS_PER_DAY)
        if day < 0:
            return 0.0
        if day >= self._n_days:
            return self._cum[-1]
        base = self._cum[day]
        if not self._working[day]:
            return base
        into = t - day * HOURS_PER_DAY - self.opens
        if into <= 0.0:
            return base
        return base + (into if into < self.length else self.length)

    def at_position(self, p: float) -> float:
        """Earliest clock time at which ``p`` open hours have accumulated."""
        if self.always:
            return p
        cum = self._cum
        if p <= 0.0:
            return self.next_open(0.0)
        if p > cum[-1]:
            # Past the table: continue with the last day's pattern as if every day worked.
            extra = p - cum[-1]
            full, rest = divmod(extra, self.length)
            day = self._n_days + int(full)
            if rest == 0.0:
                return (day - 1) * HOURS_PER_DAY + self.closes
            return day * HOURS_PER_DAY + self.opens + rest
        # first day d with cum[d + 1] >= p
        day = bisect_left(cum, p) - 1
        return day * HOURS_PER_DAY + self.opens + (p - cum[day])

    def is_open(self, t: float) -> bool:
        """Whether the office is open at clock time ``t``."""
        if self.always:
            return True
        day = int(t // HOURS_PER_DAY)
        if not 0 <= day < self._n_days or not self._working[day]:
            return False
        clock = t - day * HOURS_PER_DAY
        return self.opens <= clock < self.closes

    def next_open(self, t: float) -> float:
        """``t`` itself when open, otherwise the next opening time."""
        if self.always or self.is_open(t):
            return t
        return self._next_opening(t)

    def _next_opening(self, t: float) -> float:
        day = int(t // HOURS_PER_DAY)
        if 0 <= day < self._n_days and self._working[day] and t - day * HOURS_PER_DAY < self.opens:
            return day * HOURS_PER_DAY + self.opens
        day = max(day + 1, 0)
        while day < self._n_days and not self._working[day]:
            day += 1
        return day * HOURS_PER_DAY + self.opens

    def advance(self, t: float, hours: float) -> float:
        """Clock time when ``hours`` of open time have passed, starting at ``t`` (never before
        ``t``: zero hours from a closed moment is ``t`` itself)."""
        if self.always:
            return t + hours
        if hours <= 0.0:
            return t
        day = int(t // HOURS_PER_DAY)
        if 0 <= day < self._n_days and self._working[day]:
            # most sessions end on the working day they start: the same arithmetic as
            # ``at_position(position(t) + hours)``, without the search for the day
            cum = self._cum
            base = cum[day]
            into = t - day * HOURS_PER_DAY - self.opens
            p = base + (into if into < self.length else self.length) if into > 0.0 else base
            p += hours
            if p <= cum[day + 1]:
                return day * HOURS_PER_DAY + self.opens + (p - base)
            return self.at_position(p)
        return self.at_position(self.position(t) + hours)

    def working_days_later(self, t: float, n: float) -> float:
        """The deadline ``n`` working days after ``t`` (``n`` office days of open time; never
        before ``t``)."""
        if n <= 0.0:
            return t
        return self.at_position(self.position(t) + n * self.length)


class WorkCalendar:
    """A scenario's calendar: start date, horizon and a working-day table.

    Parameters
    ----------
    start:
        Day zero of the simulation clock (00:00 of this date is ``t = 0``).
    working:
        One bool per day of the horizon, from :func:`working_day_table`.
    """

    def __init__(self, start: dt.date, working: np.ndarray) -> None:
        self.start = start
        self.working = np.asarray(working, dtype=bool)
        self._offices: dict[tuple[float, float] | None, OfficeHours] = {}

    @property
    def n_days(self) -> int:
        return len(self.working)

    def office(self, hours: tuple[float, float] | None) -> OfficeHours:
        """Shared :class:`OfficeHours` for an office-hours pattern (``None`` = 24 h)."""
        found = self._offices.get(hours)
        if found is None:
            found = self._offices[hours] = OfficeHours(self.working, hours)
        return found

    def to_datetime(self, hours: np.ndarray) -> np.ndarray:
        """Clock hours → ``datetime64[ms]`` (NaN → NaT), vectorised."""
        # in place on one float and one int array: an event log has millions of rows
        hours = np.asarray(hours, dtype=float)
        millis = np.multiply(hours, 3_600_000.0, out=np.empty(hours.shape))
        np.round(millis, out=millis)
        bad = ~np.isfinite(millis)
        if bad.any():
            millis[bad] = 0.0
        out = millis.astype(np.int64)
        del millis
        out += np.datetime64(self.start, "ms").astype(np.int64)
        if bad.any():
            out[bad] = np.iinfo(np.int64).min  # NaT
        return out.view("datetime64[ms]")
