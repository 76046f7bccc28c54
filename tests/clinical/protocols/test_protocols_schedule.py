"""Schedule generation against hand-worked calendars (tests/clinical/cases/protocols)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ketaclinic.clinical.exceptions import InputError, InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.protocols import get_protocol
from ketaclinic.clinical.schedule import (
    ClinicCalendar,
    ScheduleOptions,
    UnschedulableProtocol,
    generate_schedule,
    open_days_from_codes,
    reschedule_after_relapse,
)

CASES = json.loads(
    (Path(__file__).parents[1] / "cases" / "protocols" / "schedules.json").read_text()
)


def _calendar(case: dict) -> ClinicCalendar:
    return ClinicCalendar(
        open_days_from_codes(case["open_days"]),
        frozenset(dt.date.fromisoformat(d) for d in case["holidays"]),
    )


def test_the_case_file_cites_its_sources() -> None:
    assert "protocol.shiroma-2014" in CASES["source"]
    assert "protocol.canbind-2020" in CASES["source"]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_schedule_matches_the_hand_worked_calendar(case: dict) -> None:
    schedule = generate_schedule(
        get_protocol(case["protocol"]),
        dt.date.fromisoformat(case["start"]),
        _calendar(case),
        ScheduleOptions(variant=case.get("variant")),
    )
    got = [
        [s.date.isoformat(), s.phase, None if s.dose is None else s.dose.render()]
        for s in schedule.sessions
    ]
    assert got == case["expected"]
    assert [s.number for s in schedule.sessions] == list(range(1, len(got) + 1))


@pytest.mark.parametrize("case", CASES["impossible"], ids=[c["name"] for c in CASES["impossible"]])
def test_an_impossible_calendar_is_refused_with_the_rule_that_breaks(case: dict) -> None:
    with pytest.raises(UnschedulableProtocol) as caught:
        generate_schedule(
            get_protocol(case["protocol"]), dt.date.fromisoformat(case["start"]), _calendar(case)
        )
    assert caught.value.field == "calendar"
    for fragment in case["message_contains"]:
        assert fragment in caught.value.message


def test_no_open_day_near_the_start_is_refused() -> None:
    calendar = ClinicCalendar(frozenset({0}))
    with pytest.raises(UnschedulableProtocol, match="no open day within 3 days of the start"):
        generate_schedule(
            get_protocol("iv-depression-induction"),
            dt.date(2026, 1, 6),
            calendar,
            ScheduleOptions(max_start_delay_days=3),
        )


def test_an_unknown_variant_names_the_variant_field() -> None:
    with pytest.raises(UnknownCode) as caught:
        generate_schedule(
            get_protocol("kap"),
            dt.date(2026, 1, 5),
            ClinicCalendar.weekdays(),
            ScheduleOptions(variant="daily"),
        )
    assert caught.value.field == "variant"


def test_a_shift_from_the_rhythm_is_reported_in_days() -> None:
    # Saturday 3 January 2026: the first infusion moves to Monday 5 January (+2 days).
    schedule = generate_schedule(
        get_protocol("iv-depression-induction"), dt.date(2026, 1, 3), ClinicCalendar.weekdays()
    )
    assert schedule.sessions[0].target_date == dt.date(2026, 1, 3)
    assert schedule.sessions[0].shifted_days == 2
    assert schedule.sessions[1].shifted_days == 0


class TestCalendar:
    def test_weekdays_are_monday_to_friday_less_holidays(self) -> None:
        calendar = ClinicCalendar.weekdays([dt.date(2026, 12, 25)])
        assert calendar.is_open(dt.date(2026, 12, 24))  # Thursday
        assert not calendar.is_open(dt.date(2026, 12, 25))  # holiday Friday
        assert not calendar.is_open(dt.date(2026, 12, 26))  # Saturday
        assert calendar.describe() == "open Mon, Tue, Wed, Thu, Fri less 1 holiday(s)"

    def test_a_calendar_with_no_open_day_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as caught:
            ClinicCalendar(frozenset())
        assert caught.value.field == "open_days"

    def test_a_weekday_number_outside_0_to_6_is_refused(self) -> None:
        with pytest.raises(InvalidValue, match="0 \\(Monday\\) to 6"):
            ClinicCalendar(frozenset({7}))

    def test_weekday_codes_are_read_case_insensitively(self) -> None:
        assert open_days_from_codes(["Mon", " wed ", "SUN"]) == frozenset({0, 2, 6})

    def test_an_unknown_weekday_code_names_its_position(self) -> None:
        with pytest.raises(UnknownCode) as caught:
            open_days_from_codes(["mon", "funday"])
        assert caught.value.field == "open_days[1]"


class TestCanbindRelapse:
    def _maintenance(self):
        return generate_schedule(
            get_protocol("iv-maintenance-canbind"), dt.date(2026, 1, 5), ClinicCalendar.weekdays()
        )

    def test_relapse_returns_to_every_two_weeks_until_maintenance_ends(self) -> None:
        # Planned end: Tue 23 June 2026. Relapse Mon 20 April: sessions 1-8 (to 23 March)
        # stand; infusion on 20 April, then every 14 days while on or before 23 June:
        # (23 June - 20 April) = 64 days // 14 = 4 more: 4 May, 18 May, 1 June, 15 June.
        after = reschedule_after_relapse(
            self._maintenance(), dt.date(2026, 4, 20), ClinicCalendar.weekdays()
        )
        tail = [(s.number, s.date.isoformat(), s.phase) for s in after.sessions[7:]]
        assert tail == [
            (8, "2026-03-23", "every-2-weeks"),
            (9, "2026-04-20", "relapse"),
            (10, "2026-05-04", "every-2-weeks"),
            (11, "2026-05-18", "every-2-weeks"),
            (12, "2026-06-01", "every-2-weeks"),
            (13, "2026-06-15", "every-2-weeks"),
        ]
        assert after.variant == "standard+relapse"

    def test_relapse_on_a_saturday_is_treated_on_the_next_open_day(self) -> None:
        # Sat 18 April -> Mon 20 April; (23 June - 18 April) = 66 // 14 = 4 more sessions.
        after = reschedule_after_relapse(
            self._maintenance(), dt.date(2026, 4, 18), ClinicCalendar.weekdays()
        )
        assert after.sessions[8].date == dt.date(2026, 4, 20)
        assert len(after.sessions) == 13

    def test_relapse_the_day_after_an_infusion_waits_the_minimum_two_days(self) -> None:
        # Last kept infusion Thu 23 April (monthly); relapse Fri 24 April -> earliest
        # 23 April + 2 = Sat 25 April -> Mon 27 April. (23 June - 25 April) = 59 // 14 = 4.
        after = reschedule_after_relapse(
            self._maintenance(), dt.date(2026, 4, 24), ClinicCalendar.weekdays()
        )
        assert after.sessions[8].date == dt.date(2026, 4, 23)
        assert after.sessions[9].date == dt.date(2026, 4, 27)
        assert [s.date.isoformat() for s in after.sessions[10:]] == [
            "2026-05-11",
            "2026-05-25",
            "2026-06-08",
            "2026-06-22",
        ]

    def test_relapse_near_the_end_adds_only_the_relapse_infusion(self) -> None:
        # Relapse Mon 15 June: (23 June - 15 June) = 8 // 14 = 0 further sessions.
        after = reschedule_after_relapse(
            self._maintenance(), dt.date(2026, 6, 15), ClinicCalendar.weekdays()
        )
        assert [(s.date.isoformat(), s.phase) for s in after.sessions[-2:]] == [
            ("2026-05-22", "monthly"),
            ("2026-06-15", "relapse"),
        ]

    @pytest.mark.parametrize("relapse_on", [dt.date(2026, 1, 5), dt.date(2026, 6, 24)])
    def test_a_relapse_outside_the_maintenance_course_is_out_of_range(
        self, relapse_on: dt.date
    ) -> None:
        with pytest.raises(OutOfRange) as caught:
            reschedule_after_relapse(self._maintenance(), relapse_on, ClinicCalendar.weekdays())
        assert caught.value.field == "relapse_on"

    def test_the_relapse_rule_belongs_to_canbind_only(self) -> None:
        induction = generate_schedule(
            get_protocol("iv-depression-induction"), dt.date(2026, 1, 5), ClinicCalendar.weekdays()
        )
        with pytest.raises(InputError) as caught:
            reschedule_after_relapse(induction, dt.date(2026, 1, 9), ClinicCalendar.weekdays())
        assert caught.value.field == "protocol"
