"""Home check-in rules: each alert rule on both sides of its line, worked by hand."""

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange
from ketaclinic.clinical.home_checkins import (
    MAX_REFILLS,
    CheckInReport,
    FindingLevel,
    HomeCheckInParameters,
    HomePrescribed,
    SideEffectSeverity,
    assess_check_in,
    check_prescription,
    home_dose_dates,
    missed_dates,
    reconcile_pill_count,
    refills_end_on,
)
from ketaclinic.clinical.sources import SOURCES

CASES = json.loads(
    (Path(__file__).parents[1] / "cases" / "home_checkins" / "bp_lines.json").read_text()
)
RX = HomePrescribed(dose_per_session_mg=Decimal("100"), max_doses_per_week=2)


def report(**overrides):
    values = {
        "amount_mg": Decimal("100"),
        "responsible_adult_present": True,
        "suicidal_thoughts": False,
    }
    values.update(overrides)
    return CheckInReport(**values)


def codes(findings):
    return [finding.code for finding in findings]


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["why"])
def test_blood_pressure_lines_match_the_hand_worked_cases(case):
    systolic, diastolic = case["bp"]
    findings = assess_check_in(report(bp_systolic=systolic, bp_diastolic=diastolic), RX)
    assert codes(findings) == case["expected"]


def test_an_uneventful_check_in_needs_nobody():
    assert assess_check_in(report(), RX) == ()


def test_urgent_bp_is_an_urgent_finding_and_high_bp_a_warning():
    assert assess_check_in(report(bp_systolic=180, bp_diastolic=90), RX)[0].level == "urgent"
    assert assess_check_in(report(bp_systolic=160, bp_diastolic=90), RX)[0].level == "warning"


def test_suicidal_thoughts_are_urgent():
    (finding,) = assess_check_in(report(suicidal_thoughts=True), RX)
    assert (finding.code, finding.level) == ("suicidal_thoughts", FindingLevel.URGENT)


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (SideEffectSeverity.MODERATE, []),
        (SideEffectSeverity.SEVERE, ["severe_side_effects"]),
    ],
)
def test_only_severe_side_effects_raise_a_finding(severity, expected):
    assert codes(assess_check_in(report(side_effect_severity=severity), RX)) == expected


def test_no_responsible_adult_is_a_warning():
    (finding,) = assess_check_in(report(responsible_adult_present=False), RX)
    assert (finding.code, finding.level) == ("no_responsible_adult", FindingLevel.WARNING)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("100", []), ("100.01", ["dose_above_prescribed"]), ("200", ["dose_above_prescribed"])],
)
def test_taking_more_than_the_dose_per_session_is_flagged(amount, expected):
    # prescribed 100 mg per dose: 100 is allowed, 100.01 is more
    assert codes(assess_check_in(report(amount_mg=Decimal(amount)), RX)) == expected


@pytest.mark.parametrize(("doses", "expected"), [(2, []), (3, ["too_many_doses_in_week"])])
def test_more_doses_in_seven_days_than_allowed_is_flagged(doses, expected):
    # at most 2 a week: the 2nd dose is fine, the 3rd is one too many
    assert codes(assess_check_in(report(doses_in_week=doses), RX)) == expected


def test_urgent_findings_come_before_warnings():
    findings = assess_check_in(
        report(responsible_adult_present=False, bp_systolic=185, bp_diastolic=95), RX
    )
    assert codes(findings) == ["bp_urgent", "no_responsible_adult"]


def test_a_clinic_may_move_the_home_bp_line():
    params = HomeCheckInParameters(bp_warning_systolic=150, bp_warning_diastolic=95)
    assert codes(assess_check_in(report(bp_systolic=150, bp_diastolic=80), RX, params)) == [
        "bp_high"
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bp_warning_systolic": 190},
        {"bp_warning_diastolic": 120},
        {"grace_hours": -1},
        {"grace_hours": 169},
    ],
)
def test_parameters_that_contradict_themselves_are_refused(kwargs):
    with pytest.raises(ConfigurationError):
        HomeCheckInParameters(**kwargs)


def test_every_finding_cites_a_known_source():
    findings = assess_check_in(
        report(
            amount_mg=Decimal("300"),
            responsible_adult_present=False,
            suicidal_thoughts=True,
            side_effect_severity=SideEffectSeverity.SEVERE,
            doses_in_week=5,
            bp_systolic=190,
            bp_diastolic=120,
        ),
        RX,
    ) + assess_check_in(report(bp_systolic=165), RX)
    assert len(findings) == 7
    assert all(finding.source_key in SOURCES for finding in findings)


def good_rx(**overrides):
    values = {
        "refills_authorised": 5,
        "written_on": dt.date(2026, 3, 10),
        "refills_until": dt.date(2026, 9, 10),
        "quantity_dispensed": 6,
        "strength_mg": Decimal("100"),
        "dose_per_session_mg": Decimal("100"),
        "max_doses_per_week": 2,
    }
    values.update(overrides)
    return values


def test_five_refills_within_six_months_are_allowed():
    # 10 March + 6 months = 10 September (21 CFR 1306.22(a))
    assert MAX_REFILLS == 5
    assert refills_end_on(dt.date(2026, 3, 10)) == dt.date(2026, 9, 10)
    check_prescription(**good_rx())
    check_prescription(**good_rx(refills_authorised=0, refills_until=None))


def test_six_months_from_the_end_of_august_clamps_to_the_end_of_february():
    # 31 August + 6 months: 31 February does not exist, so 28 February 2027
    assert refills_end_on(dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"refills_authorised": 6}, "refills_authorised"),
        ({"refills_authorised": -1}, "refills_authorised"),
        ({"refills_until": dt.date(2026, 9, 11)}, "refills_until"),
        ({"refills_until": dt.date(2026, 3, 9)}, "refills_until"),
        ({"quantity_dispensed": 0}, "quantity_dispensed"),
        ({"strength_mg": Decimal("0")}, "strength_mg"),
        ({"dose_per_session_mg": Decimal("0")}, "dose_per_session_mg"),
        ({"max_doses_per_week": 0}, "max_doses_per_week"),
        ({"max_doses_per_week": 8}, "max_doses_per_week"),
    ],
)
def test_prescriptions_outside_the_limits_are_refused_naming_the_field(overrides, field):
    with pytest.raises(OutOfRange) as raised:
        check_prescription(**good_rx(**overrides))
    assert raised.value.field == field


def test_the_home_calendar_follows_the_sublingual_home_protocol():
    # six doses, twice weekly (every 3.5 days), any day of the week at home
    dates = home_dose_dates(dt.date(2026, 3, 11))
    assert len(dates) == 6
    assert dates[0] == dt.date(2026, 3, 11)
    assert all(2 <= (b - a).days <= 7 for a, b in itertools.pairwise(dates))
    assert dates[-1] <= dt.date(2026, 3, 11) + dt.timedelta(days=28)


TZ = ZoneInfo("America/New_York")


def test_a_dose_is_missed_only_after_its_day_and_the_grace_hours():
    planned = [dt.date(2026, 3, 10), dt.date(2026, 3, 13)]
    # 10 March + 1 day = 11 March 00:00 New York (EDT from 8 March, UTC-4) + 24 h
    # = 12 March 00:00 EDT = 12 March 04:00 UTC
    just_before = dt.datetime(2026, 3, 12, 3, 59, tzinfo=dt.UTC)
    at_deadline = dt.datetime(2026, 3, 12, 4, 0, tzinfo=dt.UTC)
    assert missed_dates(planned, [], as_of=just_before, tz=TZ) == ()
    assert missed_dates(planned, [], as_of=at_deadline, tz=TZ) == (dt.date(2026, 3, 10),)


def test_a_checked_in_dose_is_never_missed():
    as_of = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    assert missed_dates([dt.date(2026, 3, 10)], [dt.date(2026, 3, 10)], as_of=as_of, tz=TZ) == ()


def test_grace_hours_of_zero_means_missed_at_midnight():
    as_of = dt.datetime(2026, 3, 11, 4, 0, tzinfo=dt.UTC)  # 11 March 00:00 EDT
    assert missed_dates([dt.date(2026, 3, 10)], [], as_of=as_of, tz=TZ, grace_hours=0) == (
        dt.date(2026, 3, 10),
    )


def test_missed_dates_need_an_aware_time():
    with pytest.raises(InvalidValue):
        missed_dates([], [], as_of=dt.datetime(2026, 3, 11), tz=TZ)


def test_a_count_that_matches_the_check_ins_has_no_discrepancy():
    # dispensed 6, reported 100 mg x 2 = 2 troches taken: 6 - 2 = 4 expected, 4 counted
    result = reconcile_pill_count(6, [1, 1], 4)
    assert (result.expected_on_hand, result.discrepancy, result.matches) == (4, 0, True)


def test_missing_troches_show_as_a_negative_discrepancy():
    # dispensed 6, 2 reported taken: 4 expected, 3 counted: 3 - 4 = -1 (one missing)
    result = reconcile_pill_count(6, 2, 3)
    assert (result.expected_on_hand, result.discrepancy, result.matches) == (4, -1, False)


@pytest.mark.parametrize(
    ("args", "field"),
    [((-1, 0, 0), "dispensed"), ((6, -1, 0), "reported_taken"), ((6, 0, -1), "counted")],
)
def test_negative_counts_are_refused(args, field):
    with pytest.raises(OutOfRange) as raised:
        reconcile_pill_count(*args)
    assert raised.value.field == field


def test_half_troches_reconcile_in_decimal():
    # dispensed 6, check-ins 1 + 0.5 troches: 6 - 1.5 = 4.5 expected, 4.5 counted
    result = reconcile_pill_count(Decimal("6"), [Decimal("1"), Decimal("0.5")], Decimal("4.5"))
    assert (result.expected_on_hand, result.discrepancy) == (Decimal("4.5"), Decimal("0"))
