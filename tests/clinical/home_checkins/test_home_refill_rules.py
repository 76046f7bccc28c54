"""Refill rules of the home program, worked by hand from 21 CFR 1306.22 and Kern et al. 2020.

The worked prescription: 100 mg troches, 200 mg a dose (2 troches), at most 2 doses a week,
so at most 4 troches a week; 8 troches written, 2 refills, written on 1 March 2027, home
dosing from 1 March. 8 troches at 4 a week last 14 days; 85% of 14 days is 11.9, so the
first refill may come 12 days in, on 13 March.
"""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.clinical.exceptions import ConfigurationError, OutOfRange
from ketaclinic.clinical.home_checkins import (
    EARLY_REFILL_FRACTION,
    earliest_refill_on,
    reconcile_pill_count,
    refill_problems,
    troches_per_week,
)
from ketaclinic.clinical.sources import SOURCES

WRITTEN = dt.date(2027, 3, 1)
PER_WEEK = Decimal("4")


def problems(**overrides):
    values = {
        "written_on": WRITTEN,
        "refills_authorised": 2,
        "refills_until": None,
        "refills_dispensed": 0,
        "quantity_prescribed": 8,
        "quantity": 8,
        "dispensed_on": dt.date(2027, 3, 13),
        "supply_started_on": WRITTEN,
        "supply_quantity": 8,
        "per_week": PER_WEEK,
    }
    values.update(overrides)
    return {(p.field, p.message) for p in refill_problems(**values)}


def fields(**overrides):
    return sorted(field for field, _message in problems(**overrides))


def test_the_default_early_line_is_85_percent_and_cites_its_source():
    assert Decimal("0.85") == EARLY_REFILL_FRACTION
    assert "kern_2020_early_refills" in SOURCES


def test_two_troches_a_dose_twice_a_week_is_four_troches_a_week():
    assert troches_per_week(Decimal("200"), Decimal("100"), 2) == Decimal("4")


def test_half_a_troche_a_dose_three_times_a_week_is_one_and_a_half():
    assert troches_per_week(Decimal("50"), Decimal("100"), 3) == Decimal("1.5")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((Decimal("200"), Decimal("0"), 2), "strength_mg"),
        ((Decimal("0"), Decimal("100"), 2), "dose_per_session_mg"),
        ((Decimal("200"), Decimal("100"), 0), "max_doses_per_week"),
        ((Decimal("200"), Decimal("100"), 8), "max_doses_per_week"),
    ],
)
def test_a_rate_from_nonsense_amounts_is_refused_naming_the_field(args, field):
    with pytest.raises(OutOfRange) as caught:
        troches_per_week(*args)
    assert caught.value.field == field


def test_eight_troches_at_four_a_week_may_be_refilled_from_day_twelve():
    assert earliest_refill_on(
        supply_started_on=WRITTEN, supply_quantity=8, per_week=PER_WEEK
    ) == dt.date(2027, 3, 13)


def test_a_clinic_line_of_75_percent_allows_the_refill_on_day_eleven():
    # 8 x 0.75 x 7 / 4 = 10.5 days -> 11 whole days -> 12 March.
    assert earliest_refill_on(
        supply_started_on=WRITTEN,
        supply_quantity=8,
        per_week=PER_WEEK,
        early_fraction=Decimal("0.75"),
    ) == dt.date(2027, 3, 12)


def test_a_line_of_zero_allows_a_refill_the_same_day():
    assert (
        earliest_refill_on(
            supply_started_on=WRITTEN,
            supply_quantity=8,
            per_week=PER_WEEK,
            early_fraction=Decimal(0),
        )
        == WRITTEN
    )


@pytest.mark.parametrize("fraction", [Decimal("-0.1"), Decimal("1.01")])
def test_an_early_line_outside_zero_to_one_is_a_configuration_error(fraction):
    with pytest.raises(ConfigurationError):
        earliest_refill_on(
            supply_started_on=WRITTEN, supply_quantity=8, per_week=PER_WEEK, early_fraction=fraction
        )


def test_a_rate_of_nothing_a_week_is_refused():
    with pytest.raises(OutOfRange) as caught:
        earliest_refill_on(supply_started_on=WRITTEN, supply_quantity=8, per_week=Decimal(0))
    assert caught.value.field == "per_week"


def test_a_refill_on_the_earliest_day_is_allowed():
    assert problems() == set()


def test_a_refill_one_day_before_the_earliest_day_is_early():
    found = problems(dispensed_on=dt.date(2027, 3, 12))
    assert found == {
        (
            "dispensed_on",
            "too early: 85% of the last supply should not be used before 2027-03-13 at the "
            "prescribed rate",
        )
    }


def test_the_early_line_counts_from_the_last_dispensing():
    # The first refill was dispensed on 13 March: the next may come on 25 March.
    assert fields(
        refills_dispensed=1,
        supply_started_on=dt.date(2027, 3, 13),
        dispensed_on=dt.date(2027, 3, 24),
    ) == ["dispensed_on"]
    assert (
        fields(
            refills_dispensed=1,
            supply_started_on=dt.date(2027, 3, 13),
            dispensed_on=dt.date(2027, 3, 25),
        )
        == []
    )


def test_a_refill_beyond_the_refills_written_is_refused():
    found = problems(refills_dispensed=2)
    assert found == {("refills", "all 2 refills authorised have been dispensed (21 CFR 1306.22)")}


def test_a_prescription_without_refills_is_never_refilled():
    assert problems(refills_authorised=0) == {
        ("refills", "this prescription authorises no refills")
    }


def test_more_than_five_refills_are_never_dispensed_whatever_was_written():
    assert fields(refills_authorised=7, refills_dispensed=5) == ["refills"]
    assert fields(refills_authorised=7, refills_dispensed=4) == []


def test_the_last_day_of_six_months_is_allowed_and_the_day_after_refused():
    # Six months after 1 March 2027 is 1 September 2027 (21 CFR 1306.22).
    assert fields(dispensed_on=dt.date(2027, 9, 1)) == []
    assert problems(dispensed_on=dt.date(2027, 9, 2)) == {
        (
            "dispensed_on",
            "no refill after 2027-09-01, six months after the date written (21 CFR 1306.22)",
        )
    }


def test_a_refill_after_the_prescriptions_own_end_date_is_refused():
    found = problems(refills_until=dt.date(2027, 4, 1), dispensed_on=dt.date(2027, 4, 2))
    assert found == {("dispensed_on", "the prescription allows refills until 2027-04-01")}
    assert fields(refills_until=dt.date(2027, 4, 1), dispensed_on=dt.date(2027, 4, 1)) == []


def test_a_refill_dated_before_the_prescription_is_refused():
    assert problems(dispensed_on=dt.date(2027, 2, 28)) == {
        ("dispensed_on", "is before the date the prescription was written")
    }


@pytest.mark.parametrize("quantity", [0, 9])
def test_a_refill_is_one_to_the_quantity_written(quantity):
    assert problems(quantity=quantity) == {("quantity", "a refill is 1 to 8 troches, as written")}


def test_every_problem_is_reported_at_once():
    assert fields(refills_dispensed=2, quantity=9, dispensed_on=dt.date(2027, 3, 2)) == [
        "dispensed_on",
        "quantity",
        "refills",
    ]


def test_a_count_reconciles_against_every_dispensing():
    # First fill 8, one refill of 6: 14 dispensed; 10 taken; 4 expected, 3 counted.
    result = reconcile_pill_count([8, 6], [Decimal(2)] * 5, 3)
    assert result.dispensed == 14
    assert result.expected_on_hand == 4
    assert result.discrepancy == -1


def test_a_negative_dispensing_is_refused():
    with pytest.raises(OutOfRange) as caught:
        reconcile_pill_count([8, -1], 0, 0)
    assert caught.value.field == "dispensed"
