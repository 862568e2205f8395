"""The legal working-time calendar: rules of legal time, exceptions, and agreement with `holidays`."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qyzmet.cli import main
from qyzmet.core.calendar import (
    CalendarError,
    CalendarException,
    Schedule,
    WorkCalendar,
    calendar_for,
    parse_instant,
)
from qyzmet.core.durations import Duration, Unit

DEPT = calendar_for("department")


def at(text: str) -> dt.datetime:
    return parse_instant(text)


def test_ten_working_days_over_nauryz_2025():
    assert DEPT.add(at("2025-03-19T10:00"), "10 working days").isoformat() == "2025-04-07T18:00:00+05:00"


def test_the_start_day_is_never_counted_even_before_opening():
    assert DEPT.add(at("2025-04-07T07:00"), "1 working day").isoformat() == "2025-04-08T18:00:00+05:00"


def test_minutes_skip_the_lunch_break_and_stop_at_its_start_exactly():
    assert DEPT.add(at("2025-04-08T12:45"), "15 minutes").isoformat() == "2025-04-08T13:00:00+05:00"
    assert DEPT.add(at("2025-04-08T12:45"), "16 minutes").isoformat() == "2025-04-08T14:01:00+05:00"
    assert DEPT.add(at("2025-04-08T13:20"), "10 minutes").isoformat() == "2025-04-08T14:10:00+05:00"


def test_minutes_cross_closing_time_into_the_next_working_day():
    # Friday 17:50 + 30 min: 10 min on Friday, 20 on Monday.
    assert DEPT.add(at("2025-04-11T17:50"), "30 minutes").isoformat() == "2025-04-14T09:20:00+05:00"


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day():
    # 2025-03-01 + 20 days = Fri 21 March (Nauryz), then Mon 24 and Tue 25 are observed days off.
    assert DEPT.add(at("2025-03-01T10:00"), "20 calendar days").isoformat() == "2025-03-26T18:00:00+05:00"


def test_the_2024_time_zone_switch():
    # Before 1 March 2024 Almaty was UTC+6, from then on UTC+5.
    assert DEPT.add(at("2024-02-26T10:00"), "3 working days").isoformat() == "2024-02-29T18:00:00+06:00"
    assert DEPT.add(at("2024-02-26T10:00"), "5 working days").isoformat() == "2024-03-04T18:00:00+05:00"


def test_a_decree_made_working_saturday_works_weekday_hours():
    day = dt.date(2024, 5, 4)
    assert DEPT.is_working(day)
    assert DEPT.hours(day) == ((9 * 3600, 13 * 3600), (14 * 3600, 18 * 3600))
    assert not DEPT.is_working(dt.date(2024, 5, 8))  # the day off it was moved to
    assert "substituted" in DEPT.why_closed(dt.date(2024, 5, 8))


def test_psc_schedule_opens_saturday_mornings_and_closes_at_20():
    psc = calendar_for("psc")
    assert psc.add(at("2025-04-11T19:00"), "2 hours").isoformat() == "2025-04-12T10:00:00+05:00"
    assert psc.add(at("2025-04-10T10:00"), "1 working day").isoformat() == "2025-04-11T20:00:00+05:00"


def test_editable_exceptions_win_over_the_law():
    extra_holiday = CalendarException(dt.date(2025, 4, 9), "holiday", "akimat decision No. 1 (test)")
    working_sunday = CalendarException(dt.date(2025, 4, 13), "working-day", "decree No. 2 (test)")
    short_day = CalendarException(dt.date(2025, 4, 10), "special-hours", "order No. 3 (test)",
                                  ((9 * 3600, 12 * 3600),))
    cal = WorkCalendar(Schedule.from_text("t", {d: ("09:00-18:00",) for d in ("mon", "tue", "wed", "thu", "fri")}),
                       (extra_holiday, working_sunday, short_day))
    assert not cal.is_working(dt.date(2025, 4, 9))
    assert cal.why_closed(dt.date(2025, 4, 9)) == "akimat decision No. 1 (test)"
    assert cal.is_working(dt.date(2025, 4, 13))
    assert cal.closing(dt.date(2025, 4, 10)).hour == 12
    # Tue 8 Apr + 2 working days: Wed 9 is closed, Thu 10 (short), Fri 11.
    assert cal.add(at("2025-04-08T10:00"), "2 working days").isoformat() == "2025-04-11T18:00:00+05:00"


def test_bad_schedules_and_out_of_range_dates_are_refused():
    with pytest.raises(CalendarError, match="overlapping"):
        Schedule.from_text("x", {"mon": ("09:00-13:00", "12:00-18:00")})
    with pytest.raises(CalendarError, match="HH:MM"):
        Schedule.from_text("x", {"mon": ("9-13",)})
    with pytest.raises(CalendarError, match="outside the calendar's range"):
        DEPT.add(at("1999-12-30T10:00"), "1 working day")


# --- properties ------------------------------------------------------------------------------------

instants = st.datetimes(min_value=dt.datetime(2013, 1, 1), max_value=dt.datetime(2030, 12, 31))
durations = st.builds(
    Duration, st.integers(0, 60),
    st.sampled_from([Unit.MINUTE, Unit.HOUR, Unit.WORKING_DAY, Unit.CALENDAR_DAY]),
)


@settings(max_examples=400, deadline=None)
@given(instants, durations, st.sampled_from(["department", "psc", "psc-5day"]))
def test_a_deadline_never_precedes_its_start_and_falls_in_opening_hours(start, duration, schedule):
    cal = calendar_for(schedule)
    due = cal.add(start, duration)
    assert due >= at(start.isoformat())
    seconds = due.hour * 3600 + due.minute * 60 + due.second
    assert any(a <= seconds <= b for a, b in cal.hours(due.date())), "a due instant is inside opening hours"


@settings(max_examples=300, deadline=None)
@given(instants, st.integers(0, 40), st.integers(0, 40))
def test_longer_terms_never_end_earlier(start, a, b):
    small, large = sorted((a, b))
    for unit in (Unit.WORKING_DAY, Unit.CALENDAR_DAY, Unit.MINUTE):
        assert DEPT.add(start, Duration(small, unit)) <= DEPT.add(start, Duration(large, unit))


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(2013, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(1, 30))
def test_working_days_agree_with_holidays_get_nth_working_day(day, n):
    kz = holidays.KZ(years=range(day.year, day.year + 2))
    assert DEPT.nth_working_day_after(day, n) == kz.get_nth_working_day(day, n)


# --- the command ----------------------------------------------------------------------------------

def test_cli_add_prints_the_instant_with_offset(capsys):
    assert main(["calendar", "add", "--at", "2025-03-19T10:00", "--duration", "10 working days"]) == 0
    assert capsys.readouterr().out.strip() == "2025-04-07T18:00:00+05:00"


def test_cli_add_reads_russian_and_kazakh_wording(capsys):
    assert main(["calendar", "add", "--at", "2025-03-19T10:00", "--duration", "10 рабочих дней"]) == 0
    assert main(["calendar", "add", "--at", "2025-03-19T10:00", "--duration", "он жұмыс күні"]) == 0
    out = capsys.readouterr().out.split()
    assert out == ["2025-04-07T18:00:00+05:00"] * 2


def test_cli_explain_names_the_skipped_holidays(capsys):
    main(["calendar", "add", "--at", "2025-03-19T10:00", "--duration", "10 working days", "--explain"])
    out = capsys.readouterr().out
    assert "2025-03-21" in out and "Nowruz" in out


def test_cli_is_working(capsys):
    assert main(["calendar", "is-working", "2024-05-04"]) == 0
    assert main(["calendar", "is-working", "2024-05-08"]) == 0
    assert capsys.readouterr().out.split() == ["yes", "no"]


@pytest.mark.parametrize("argv", [
    ["calendar", "add", "--at", "2025-13-01", "--duration", "1 working day"],
    ["calendar", "add", "--at", "2025-03-19", "--duration", "3 weeks"],
    ["calendar", "add", "--at", "2025-03-19", "--duration", "1 hour", "--schedule", "nowhere"],
    ["calendar", "is-working", "yesterday"],
])
def test_cli_unparseable_input_is_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_same_day_terms_asked_after_closing_roll_to_the_next_working_day():
    # Found by the property test: "0 working days" at 18:00:00.000001 must not be due at 18:00 that day.
    assert DEPT.add(at("2013-01-03T18:00:00.000001"), "0 working days").isoformat() == "2013-01-04T18:00:00+06:00"
    assert DEPT.add(at("2025-04-08T17:00"), "0 working days").isoformat() == "2025-04-08T18:00:00+05:00"
    assert DEPT.add(at("2025-04-11T19:00"), "0 calendar days").isoformat() == "2025-04-14T18:00:00+05:00"
