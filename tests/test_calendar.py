"""Tests for govsim.calendar: the working-day table (China's holidays and make-up days),
office-hours arithmetic and working-day deadlines."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from _factory import assert_one_sentence

from govsim.calendar import OfficeHours, parse_hours, working_day_table
from govsim.errors import GovsimError

# ---------------------------------------------------------------------------
# calendar facts
# ---------------------------------------------------------------------------
# Clock = hours since 00:00 of the start date, 2025-01-01 (a Wednesday), so day k of 2025 (0-based)
# starts at 24 * k.
#   2025-01-01 Wed  k=0   New Year, off
#   2025-01-02 Thu  k=1
#   2025-01-03 Fri  k=2
#   2025-01-04 Sat  k=3
#   2025-01-05 Sun  k=4
#   2025-01-06 Mon  k=5
#   2025-01-25 Sat  k=24
#   2025-01-26 Sun  k=25  official make-up working day (Spring Festival)


def _k(d: date) -> int:
    return (d - date(2025, 1, 1)).days


@pytest.fixture(scope="module")
def table_2025() -> np.ndarray:
    return working_day_table(date(2025, 1, 1), 365)


@pytest.fixture(scope="module")
def office(table_2025: np.ndarray) -> OfficeHours:
    return OfficeHours(table_2025, parse_hours("08:30-17:30"))


def test_working_day_table_shape(table_2025: np.ndarray) -> None:
    assert table_2025.shape == (365,)
    assert table_2025.dtype == bool


def test_new_year_is_not_a_working_day(table_2025: np.ndarray) -> None:
    assert not table_2025[_k(date(2025, 1, 1))]
    assert table_2025[_k(date(2025, 1, 2))]  # the Thursday after is an ordinary working day


def test_sunday_make_up_day_is_a_working_day(table_2025: np.ndarray) -> None:
    assert date(2025, 1, 26).weekday() == 6  # a Sunday
    assert table_2025[_k(date(2025, 1, 26))]
    assert not table_2025[_k(date(2025, 1, 19))]  # an ordinary Sunday is off


def test_national_day_week_is_off(table_2025: np.ndarray) -> None:
    for day in range(1, 8):
        assert not table_2025[_k(date(2025, 10, day))], f"2025-10-0{day}"
    # Saturday 2025-10-11 is the make-up working day after the holiday
    assert table_2025[_k(date(2025, 10, 11))]


def test_country_none_only_weekends_off() -> None:
    table = working_day_table(date(2025, 1, 1), 14, country="none")
    # Wed Thu Fri Sat Sun Mon Tue Wed Thu Fri Sat Sun Mon Tue
    expected = [True, True, True, False, False, True, True] * 2
    assert table.tolist() == expected


def test_extra_holidays_and_workdays_override() -> None:
    table = working_day_table(date(2025, 1, 1), 10, extra_holidays=[date(2025, 1, 2)],
                              extra_workdays=[date(2025, 1, 4)])
    assert not table[1]  # Thursday made a holiday
    assert table[3]  # Saturday made a working day


def test_unknown_country_refused() -> None:
    with pytest.raises(GovsimError) as info:
        working_day_table(date(2025, 1, 1), 10, country="XX")
    assert info.value.path == "world.calendar"


def test_deadline_from_friday_morning_lands_next_working_day_same_time(office: OfficeHours) -> None:
    # Friday 2025-01-03 10:00 is 2 * 24 + 10 = 58. One working day = 9 open hours: 7.5 h left on
    # Friday (10:00-17:30), nothing on Saturday and Sunday, then 1.5 h on Monday 2025-01-06
    # (08:30-10:00): Monday 10:00 = 5 * 24 + 10 = 130.
    assert office.working_days_later(58.0, 1) == pytest.approx(130.0)


def test_deadline_from_saturday_lands_at_close_of_next_working_day(office: OfficeHours) -> None:
    # Saturday 2025-01-04 11:00 is 3 * 24 + 11 = 83: closed, no open hours until Monday 08:30;
    # 9 open hours later is Monday 2025-01-06 17:30 = 5 * 24 + 17.5 = 137.5.
    assert office.working_days_later(83.0, 1) == pytest.approx(137.5)


def test_deadline_from_saturday_before_make_up_sunday(office: OfficeHours) -> None:
    # Saturday 2025-01-25 12:00 is 24 * 24 + 12 = 588; the next working day is the make-up
    # Sunday 2025-01-26, which closes at 25 * 24 + 17.5 = 617.5.
    assert office.working_days_later(588.0, 1) == pytest.approx(617.5)


def test_five_working_days_skip_the_weekend(office: OfficeHours) -> None:
    # Thursday 2025-01-02 10:00 = 34. Five working days later: Fri 3, Mon 6, Tue 7, Wed 8,
    # Thu 9 → Thursday 2025-01-09 10:00 = 8 * 24 + 10 = 202.
    assert office.working_days_later(34.0, 5) == pytest.approx(202.0)


def test_advance_across_a_night(office: OfficeHours) -> None:
    # Thursday 2025-01-02 17:00 = 24 + 17 = 41: 0.5 h left that day, then 0.5 h on Friday
    # from 08:30 → Friday 09:00 = 2 * 24 + 9 = 57.
    assert office.advance(41.0, 1.0) == pytest.approx(57.0)


def test_advance_across_a_weekend(office: OfficeHours) -> None:
    # Friday 2025-01-03 16:30 = 48 + 16.5 = 64.5: 1 h left on Friday, then 2 h on Monday
    # from 08:30 → Monday 2025-01-06 10:30 = 5 * 24 + 10.5 = 130.5.
    assert office.advance(64.5, 3.0) == pytest.approx(130.5)


def test_advance_ending_exactly_at_close_stays_on_that_day(office: OfficeHours) -> None:
    # Friday 16:30 + 1 h is Friday 17:30 = 65.5, not Monday's opening.
    assert office.advance(64.5, 1.0) == pytest.approx(65.5)


def test_advance_from_a_closed_time_starts_at_opening(office: OfficeHours) -> None:
    # New Year's Day 12:00 (t = 12) is closed; the office opens Thursday 08:30 (t = 32.5);
    # 2 h of work end Thursday 10:30 = 34.5.
    assert office.advance(12.0, 2.0) == pytest.approx(34.5)


def test_always_open_office_advances_on_the_plain_clock(table_2025: np.ndarray) -> None:
    always = OfficeHours(table_2025, parse_hours("24h"))
    assert always.is_open(12.0)  # even on New Year's Day
    assert always.advance(64.5, 3.0) == pytest.approx(67.5)
    assert always.working_days_later(58.0, 1) == pytest.approx(82.0)
    assert always.next_open(83.0) == 83.0


@pytest.mark.parametrize(
    ("t", "is_open"),
    [
        (10.0, False),  # New Year's Day 10:00
        (24 + 8.0, False),  # Thursday 08:00, before opening
        (24 + 8.5, True),  # Thursday 08:30: opening time is open
        (24 + 12.0, True),  # Thursday noon
        (24 + 17.5, False),  # Thursday 17:30: closing time is closed
        (3 * 24 + 12.0, False),  # Saturday noon
        (25 * 24 + 12.0, True),  # make-up Sunday 2025-01-26 noon
    ],
)
def test_is_open(office: OfficeHours, t: float, is_open: bool) -> None:
    assert office.is_open(t) is is_open


@pytest.mark.parametrize(
    ("t", "opens"),
    [
        (24 + 12.0, 24 + 12.0),  # open now: t itself
        (0.0, 24 + 8.5),  # New Year's midnight → Thursday 08:30
        (24 + 6.0, 24 + 8.5),  # Thursday 06:00 → Thursday 08:30
        (24 + 17.5, 2 * 24 + 8.5),  # Thursday at close → Friday 08:30
        (2 * 24 + 18.0, 5 * 24 + 8.5),  # Friday evening → Monday 08:30
        (24 * 24 + 12.0, 25 * 24 + 8.5),  # Saturday 2025-01-25 → make-up Sunday 08:30
    ],
)
def test_next_open(office: OfficeHours, t: float, opens: float) -> None:
    assert office.next_open(t) == pytest.approx(opens)


def test_parse_hours() -> None:
    assert parse_hours("24h") is None
    assert parse_hours("08:30-17:30") == (8.5, 17.5)
    assert parse_hours(" 08:00 - 20:00 ") == (8.0, 20.0)
    assert parse_hours("00:00-24:00") == (0.0, 24.0)


@pytest.mark.parametrize(
    "spec",
    ["", "abc", "8-17", "08:30", "8.30-17.30", "08:30-17:30-18:00", "17:30-08:30", "08:30-08:30",
     "08:60-17:00", "08:30-25:00", "08:30 to 17:30"],
)
def test_parse_hours_refuses_bad_strings(spec: str) -> None:
    with pytest.raises(GovsimError) as info:
        parse_hours(spec, path="world.units.x.hours")
    assert info.value.path == "world.units.x.hours"
    assert_one_sentence(info.value.message)
    assert repr(spec) in info.value.message


def test_zero_hours_never_move_time_backwards() -> None:
    from govsim.calendar import OfficeHours, working_day_table

    office = OfficeHours(working_day_table(date(2025, 1, 1), 30), (8.5, 17.5))
    for t in (3 * 24 + 10.0, 6 * 24 + 7.0, 6 * 24 + 8.5, 6 * 24 + 20.0):  # Sat, Tue early, open, late
        assert office.advance(t, 0.0) == t
        assert office.working_days_later(t, 0.0) == t
        assert office.advance(t, 0.5) > t


@pytest.mark.parametrize("hours", ["08:30-17:30", "00:00-24:00", "21:00-23:30"])
def test_advance_is_the_position_arithmetic_to_the_last_bit(table_2025: np.ndarray,
                                                            hours: str) -> None:
    """``advance``'s shortcut for a session ending on the day it starts gives the very float
    ``at_position(position(t) + h)`` gives, at openings, closings, holidays and past the table."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    office = OfficeHours(table_2025, parse_hours(hours))
    edges = [d * 24.0 + x for d in (0, 1, 27, 28, 100, 364, 365, 400)
             for x in (office.opens, office.closes, office.opens - 1e-9, office.closes - 1e-9)]

    @settings(max_examples=400, deadline=None)
    @given(t=st.one_of(st.floats(-30.0, 366 * 24.0), st.sampled_from(edges)),
           h=st.one_of(st.floats(1e-9, 60.0), st.sampled_from([0.1, 0.5, 1.0, 9.0, 24.0])))
    def check(t: float, h: float) -> None:
        assert office.advance(t, h) == office.at_position(office.position(t) + h)

    check()
