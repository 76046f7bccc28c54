"""IOP rules: minutes attended, hours per week against the plan and the minimum, runs of
unexcused absences, session dates from a schedule. Expected values worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange
from ketaclinic.clinical.intensive_outpatient import (
    ABSENCE_RUN_FOR_ALERT,
    IOP_SOURCES,
    MINIMUM_WEEKLY_HOURS,
    AttendanceStatus,
    WeekHours,
    attended_minutes,
    hours,
    sessions_between,
    unexcused_run,
    week_start,
    weekly_hours,
)


def test_the_minimums_are_the_cited_nine_and_six_hours():
    assert {"adult": Decimal("9"), "adolescent": Decimal("6")} == MINIMUM_WEEKLY_HOURS
    keys = {s.key for s in IOP_SOURCES}
    assert keys == {"cms_iop_2024", "asam_level_2_1"}
    assert all(s.citation and s.url and s.note for s in IOP_SOURCES)
    assert ABSENCE_RUN_FOR_ALERT == 2


@pytest.mark.parametrize(
    ("status", "late", "early", "expected"),
    [
        ("present", 0, 0, 180),
        ("late", 20, 0, 160),  # 180 - 20
        ("late", 15, 30, 135),  # 180 - 15 - 30
        ("left_early", 0, 45, 135),  # 180 - 45
        ("absent_excused", 0, 0, 0),
        ("absent_unexcused", 0, 0, 0),
    ],
)
def test_minutes_attended_are_the_session_less_what_was_missed(status, late, early, expected):
    assert attended_minutes(180, status, late, early) == expected


@pytest.mark.parametrize(
    ("args", "error", "field"),
    [
        ((0, "present"), OutOfRange, "duration_minutes"),
        ((180, "asleep"), InvalidValue, "status"),
        ((180, "late", -1, 0), OutOfRange, "late_minutes"),
        ((180, "left_early", 0, -5), OutOfRange, "left_early_minutes"),
        ((180, "late", 0, 0), OutOfRange, "late_minutes"),
        ((180, "left_early", 0, 0), OutOfRange, "left_early_minutes"),
        ((180, "left_early", 10, 20), InvalidValue, "late_minutes"),
        ((180, "present", 10, 0), InvalidValue, "late_minutes"),
        ((180, "absent_excused", 0, 10), InvalidValue, "left_early_minutes"),
        ((180, "late", 180, 0), OutOfRange, "late_minutes"),
        ((180, "left_early", 0, 200), OutOfRange, "left_early_minutes"),
    ],
)
def test_impossible_attendance_names_the_field(args, error, field):
    with pytest.raises(error) as raised:
        attended_minutes(*args)
    assert raised.value.field == field


def test_hours_round_half_up_to_one_decimal():
    assert hours(0) == Decimal("0.0")
    assert hours(540) == Decimal("9.0")
    assert hours(525) == Decimal("8.8")  # 8.75 -> 8.8
    assert hours(159) == Decimal("2.7")  # 2.65 -> 2.7


def test_a_week_starts_on_monday():
    assert week_start(dt.date(2026, 3, 9)) == dt.date(2026, 3, 9)  # a Monday
    assert week_start(dt.date(2026, 3, 15)) == dt.date(2026, 3, 9)  # Sunday
    assert week_start(dt.date(2026, 3, 16)) == dt.date(2026, 3, 16)


def test_weekly_hours_flag_complete_weeks_below_the_minimum_and_the_plan():
    # Mon/Wed/Thu groups of 180 minutes; week of 2 March attended in full (540 min = 9 h);
    # week of 9 March one unexcused absence (360 min = 6 h); week of 16 March under way.
    sessions = [
        (dt.date(2026, 3, 2), 180, 180),
        (dt.date(2026, 3, 4), 180, 180),
        (dt.date(2026, 3, 5), 180, 180),
        (dt.date(2026, 3, 9), 180, 180),
        (dt.date(2026, 3, 11), 180, 0),
        (dt.date(2026, 3, 12), 180, 180),
        (dt.date(2026, 3, 16), 180, 120),
        (dt.date(2026, 2, 23), 180, 180),  # before enrolment: ignored
    ]
    weeks = weekly_hours(
        sessions,
        first_day=dt.date(2026, 3, 2),
        last_day=dt.date(2026, 3, 18),
        planned_hours=Decimal("10"),
        population="adult",
        as_of=dt.date(2026, 3, 18),
    )
    assert [w.starts_on for w in weeks] == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
    ]
    first, second, current = weeks
    assert (first.attended_hours, first.offered_hours) == (Decimal("9.0"), Decimal("9.0"))
    assert not first.below_minimum
    assert first.below_plan
    assert second.attended_hours == Decimal("6.0")
    assert second.below_minimum
    assert second.below_plan
    assert current.attended_hours == Decimal("2.0")
    assert not current.complete
    assert not current.below_minimum
    assert not current.below_plan


def test_a_week_without_sessions_is_zero_hours_and_an_adolescent_needs_six():
    weeks = weekly_hours(
        [(dt.date(2026, 3, 3), 180, 180), (dt.date(2026, 3, 4), 180, 180)],
        first_day=dt.date(2026, 3, 4),
        last_day=dt.date(2026, 3, 15),
        planned_hours=Decimal("6"),
        population="adolescent",
        as_of=dt.date(2026, 3, 30),
    )
    assert [(w.attended_minutes, w.below_minimum) for w in weeks] == [(180, True), (0, True)]
    assert weeks[0].minimum_hours == Decimal("6")


def test_six_hours_is_enough_for_an_adolescent_week():
    week = WeekHours(dt.date(2026, 3, 2), 360, 360, Decimal("6"), Decimal("6"), True)
    assert not week.below_minimum
    assert not week.below_plan


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"last_day": dt.date(2026, 3, 1)}, OutOfRange, "last_day"),
        ({"planned_hours": Decimal("-1")}, OutOfRange, "planned_hours"),
        ({"population": "senior"}, InvalidValue, "population"),
    ],
)
def test_weekly_hours_refuses_bad_input(kwargs, error, field):
    values = {
        "first_day": dt.date(2026, 3, 2),
        "last_day": dt.date(2026, 3, 8),
        "planned_hours": Decimal("9"),
        "population": "adult",
        "as_of": dt.date(2026, 3, 9),
    }
    values.update(kwargs)
    with pytest.raises(error) as raised:
        weekly_hours([], **values)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("statuses", "run"),
    [
        ([], 0),
        (["present"], 0),
        (["absent_unexcused"], 1),
        (["present", "absent_unexcused", "absent_unexcused"], 2),
        (["absent_unexcused", "late", "absent_unexcused"], 1),
        (["absent_unexcused", "absent_excused", "absent_unexcused"], 2),
        (["absent_unexcused", "absent_unexcused", "left_early"], 0),
    ],
)
def test_the_run_of_unexcused_absences_at_the_end(statuses, run):
    assert unexcused_run(statuses) == run


def test_an_unknown_status_in_a_run_is_refused():
    with pytest.raises(InvalidValue):
        unexcused_run(["absent_unexcused", "gone"])


def test_session_dates_follow_the_groups_weekdays():
    # Monday, Wednesday, Thursday from Thu 5 March to Wed 11 March 2026.
    dates = sessions_between(dt.date(2026, 3, 5), dt.date(2026, 3, 11), [0, 2, 3])
    assert dates == [dt.date(2026, 3, 5), dt.date(2026, 3, 9), dt.date(2026, 3, 11)]


@pytest.mark.parametrize(
    ("first", "last", "days", "error"),
    [
        (dt.date(2026, 3, 5), dt.date(2026, 3, 11), [], InvalidValue),
        (dt.date(2026, 3, 5), dt.date(2026, 3, 11), [7], InvalidValue),
        (dt.date(2026, 3, 11), dt.date(2026, 3, 5), [0], OutOfRange),
    ],
)
def test_session_dates_refuse_bad_input(first, last, days, error):
    with pytest.raises(error):
        sessions_between(first, last, days)


def test_statuses_are_the_five_the_clinic_records():
    assert [s.value for s in AttendanceStatus] == [
        "present",
        "late",
        "left_early",
        "absent_excused",
        "absent_unexcused",
    ]
