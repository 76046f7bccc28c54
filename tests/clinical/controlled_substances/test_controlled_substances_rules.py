"""Controlled-substance arithmetic, checked against worked cases from 21 CFR (cases/*.json)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ketaclinic.clinical.controlled_substances import (
    MAX_QUANTITY,
    BalanceTotals,
    CountMethod,
    InventoryInterval,
    Measure,
    add_business_days,
    count_method,
    format_quantity,
    loss_report_deadlines,
    mass_mg,
    mass_ug,
    next_inventory_due,
    parse_quantity,
    refills_remaining,
    retention_ends_on,
    withdraw,
)
from ketaclinic.clinical.exceptions import (
    ConfigurationError,
    InvalidValue,
    OutOfRange,
    UnknownCode,
)
from ketaclinic.clinical.sources import SOURCES

CASES = Path(__file__).parents[1] / "cases" / "controlled_substances"
DEADLINES = json.loads((CASES / "deadlines.json").read_text())
QUANTITIES = json.loads((CASES / "quantities.json").read_text())


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_every_regulation_cited_in_the_module_is_a_registered_source():
    for key in (
        "cfr_1304_04",
        "cfr_1304_11",
        "cfr_1304_21",
        "cfr_1304_22",
        "cfr_1301_76b",
        "dea_form_106",
        "dea_form_41",
        "cfr_1306_22",
    ):
        assert SOURCES[key].citation


@pytest.mark.parametrize("case", DEADLINES["loss_reports"], ids=lambda c: c["discovered_on"])
def test_loss_report_deadlines_follow_the_worked_cases(case):
    deadlines = loss_report_deadlines(
        _date(case["discovered_on"]), holidays=[_date(d) for d in case["holidays"]]
    )
    assert deadlines.notify_field_office_by == _date(case["notify_by"])
    assert deadlines.form_106_by == _date(case["form_106_by"])


def test_overdue_names_each_late_step_only_after_its_deadline():
    deadlines = loss_report_deadlines(dt.date(2026, 3, 6))  # notify by 9 Mar, Form 106 by 20 Apr
    assert deadlines.overdue(dt.date(2026, 3, 9), notified=False, form_106_filed=False) == []
    assert deadlines.overdue(dt.date(2026, 3, 10), notified=False, form_106_filed=False) == [
        "notify_field_office"
    ]
    assert deadlines.overdue(dt.date(2026, 4, 21), notified=False, form_106_filed=False) == [
        "notify_field_office",
        "form_106",
    ]
    assert deadlines.overdue(dt.date(2026, 4, 21), notified=True, form_106_filed=True) == []


def test_a_clinic_open_on_saturdays_counts_saturday_as_a_business_day():
    # Friday 6 Mar 2026 + 1 business day with Mon-Sat open = Saturday 7 Mar.
    assert add_business_days(
        dt.date(2026, 3, 6), 1, business_weekdays=(0, 1, 2, 3, 4, 5)
    ) == dt.date(2026, 3, 7)


def test_zero_business_days_is_the_start_day_and_bad_settings_are_refused():
    assert add_business_days(dt.date(2026, 3, 7), 0) == dt.date(2026, 3, 7)
    with pytest.raises(OutOfRange):
        add_business_days(dt.date(2026, 3, 7), -1)
    with pytest.raises(ConfigurationError):
        add_business_days(dt.date(2026, 3, 7), 1, business_weekdays=())
    with pytest.raises(ConfigurationError):
        add_business_days(dt.date(2026, 3, 7), 1, business_weekdays=(7,))


@pytest.mark.parametrize("case", DEADLINES["inventories"], ids=lambda c: c["why"])
def test_next_inventory_due_follows_the_worked_cases(case):
    due = next_inventory_due(_date(case["last"]), InventoryInterval(case["interval"]))
    assert due == _date(case["due"])


def test_records_are_kept_for_two_years():
    (case,) = DEADLINES["retention"]
    assert retention_ends_on(_date(case["recorded_on"])) == _date(case["ends_on"])


@pytest.mark.parametrize("case", DEADLINES["refills"], ids=lambda c: c["why"])
def test_refills_remaining_follow_the_worked_cases(case):
    remaining = refills_remaining(
        issued_on=_date(case["issued_on"]),
        refills_authorised=case["authorised"],
        refills_dispensed=case["dispensed"],
        as_of=_date(case["as_of"]),
    )
    assert remaining == case["remaining"]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("refills_authorised", {"refills_authorised": -1, "refills_dispensed": 0}),
        ("refills_dispensed", {"refills_authorised": 1, "refills_dispensed": -1}),
        ("as_of", {"refills_authorised": 1, "refills_dispensed": 0, "as_of": dt.date(2026, 1, 1)}),
    ],
)
def test_impossible_refill_inputs_name_the_field(field, kwargs):
    arguments = {"issued_on": dt.date(2026, 1, 15), "as_of": dt.date(2026, 2, 1), **kwargs}
    with pytest.raises(OutOfRange) as error:
        refills_remaining(**arguments)
    assert error.value.field == field


@pytest.mark.parametrize("case", QUANTITIES["parse"], ids=lambda c: c["why"])
def test_typed_quantities_become_exact_integers(case):
    assert parse_quantity(case["text"], Measure(case["measure"]), "q") == case["quantity"]


def test_the_largest_quantity_is_accepted_and_named_in_the_refusal_of_a_larger_one():
    # 1,000 L = 1,000,000 mL = 1,000,000,000 µL; a billion devices.
    assert parse_quantity("1000000", Measure.MICROLITRE, "q") == MAX_QUANTITY == 10**9
    assert parse_quantity("1000000000", Measure.UNIT, "q") == 10**9
    with pytest.raises(OutOfRange, match="at most 1000000 mL"):
        parse_quantity("1000001", Measure.MICROLITRE, "q")


def test_a_decimal_quantity_is_accepted_as_is():
    assert parse_quantity(Decimal("0.35"), Measure.MICROLITRE, "q") == 350


@pytest.mark.parametrize(
    ("value", "measure", "error"),
    [
        ("0.0005", Measure.MICROLITRE, InvalidValue),  # half a microlitre
        ("1.5", Measure.UNIT, InvalidValue),  # half a device
        ("abc", Measure.MICROLITRE, InvalidValue),
        ("NaN", Measure.MICROLITRE, InvalidValue),
        ("0", Measure.MICROLITRE, OutOfRange),
        ("-1", Measure.UNIT, OutOfRange),
        (0.5, Measure.MICROLITRE, InvalidValue),  # floats are refused outright
        ("1e999999", Measure.MICROLITRE, OutOfRange),  # would overflow the Decimal context
        ("9" * 5000, Measure.UNIT, OutOfRange),
        ("1000000000000000", Measure.MICROLITRE, OutOfRange),  # past a 32-bit column
        ("1000000.001", Measure.MICROLITRE, OutOfRange),  # 1,000,000,001 µL
        ("1000000001", Measure.UNIT, OutOfRange),
    ],
)
def test_quantities_that_would_round_or_make_no_sense_are_refused(value, measure, error):
    with pytest.raises(error) as raised:
        parse_quantity(value, measure, "volume_given_ml")
    assert raised.value.field == "volume_given_ml"


@pytest.mark.parametrize("case", QUANTITIES["mass"], ids=lambda c: c["why"])
def test_mass_follows_volume_times_concentration(case):
    measure = Measure(case["measure"])
    strength = Decimal(case["strength_mg"])
    assert mass_ug(case["quantity"], measure, strength) == Decimal(case["mass_ug"])
    assert mass_mg(case["quantity"], measure, strength) == Decimal(case["mass_mg"])


def test_quantities_read_as_millilitres_or_units():
    assert format_quantity(2500, Measure.MICROLITRE) == "2.5 mL"
    assert format_quantity(20000, Measure.MICROLITRE) == "20 mL"
    assert format_quantity(1, Measure.MICROLITRE) == "0.001 mL"
    assert format_quantity(1, Measure.UNIT) == "1 unit"
    assert format_quantity(3, Measure.UNIT) == "3 units"


def test_a_withdrawal_may_empty_a_container_but_never_overdraw_it():
    assert withdraw(2000, 2000, "q") == 0  # everything: balance exactly zero
    assert withdraw(2000, 1, "q") == 1999
    with pytest.raises(OutOfRange, match="more than the container holds"):
        withdraw(2000, 2001, "volume_drawn_ml")  # one microlitre too many
    with pytest.raises(OutOfRange):
        withdraw(2000, 0, "q")


def test_the_ledger_equation_balances_signed_sums_by_kind():
    # 20000 received + 5000 in - 3500 given - 500 wasted - 1000 destroyed - 5000 out - 250 lost
    totals = BalanceTotals.from_signed(
        {
            "receipt": 20000,
            "transfer_in": 5000,
            "administration": -3500,
            "waste": -500,
            "destruction": -1000,
            "transfer_out": -5000,
            "loss_or_theft": -250,
        }
    )
    assert totals.administered == 3500
    assert totals.on_hand == 20000 + 5000 - 3500 - 500 - 1000 - 5000 - 250 == 14750
    doubled = totals + totals
    assert doubled.on_hand == 29500
    assert BalanceTotals.from_signed({}).on_hand == 0
    with pytest.raises(UnknownCode):
        BalanceTotals.from_signed({"count": 0})


@pytest.mark.parametrize(
    "signed",
    [
        {},
        {"receipt": 20000, "administration": -3500, "waste": -500},
        {
            "receipt": 7,
            "transfer_in": 5,
            "destruction": -2,
            "transfer_out": -4,
            "loss_or_theft": -1,
        },
        {"administration": 3500},  # a sign no writer leaves still enters the equation as it is
    ],
)
def test_on_hand_from_signed_sums_is_the_equations_on_hand(signed):
    assert BalanceTotals.on_hand_from_signed(signed) == BalanceTotals.from_signed(signed).on_hand


def test_on_hand_from_signed_sums_refuses_a_kind_that_moves_no_balance():
    with pytest.raises(UnknownCode, match="'count'"):
        BalanceTotals.on_hand_from_signed({"receipt": 1, "count": 0})


@pytest.mark.parametrize(
    ("schedule", "opened", "form", "units", "method"),
    [
        (3, False, "solution", 1, CountMethod.EXACT),  # sealed vial: exact
        (3, True, "solution", 1, CountMethod.ESTIMATE_ALLOWED),  # opened ketamine vial
        (2, True, "solution", 1, CountMethod.EXACT),  # Schedule II opened: exact
        (3, True, "tablet", 1000, CountMethod.ESTIMATE_ALLOWED),  # 1,000 is not "more than"
        (3, True, "tablet", 1001, CountMethod.EXACT),
        (3, True, "troche", 5000, CountMethod.ESTIMATE_ALLOWED),  # not tablets or capsules
    ],
)
def test_count_method_follows_1304_11_e_3(schedule, opened, form, units, method):
    result = count_method(schedule=schedule, opened=opened, form=form, units_in_container=units)
    assert result is method


def test_a_schedule_outside_one_to_five_is_refused():
    with pytest.raises(OutOfRange):
        count_method(schedule=6, opened=True, form="solution", units_in_container=1)
