"""The rights at the chair, worked by hand (``clinical.administration_rights``).

Issue 12's case: 0.5 mg/kg x 68 kg = 34 mg, ordered at 10 mg/mL = 3.4 mL over 40 min
(3.4 x 60 / 40 = 5.1 mL/h). A 50 mg/mL vial drawn to 3.4 mL is 3.4 x 50 = 170 mg.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketaclinic.clinical.administration_rights import (
    DEFAULT_TOLERANCES,
    AdministrationTolerances,
    Authority,
    DeviationCode,
    OrderedDose,
    StrengthMeasure,
    check_drawn,
    check_given,
    check_timing,
    prepare_dose,
    required_authority,
)
from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, MissingItem
from ketaclinic.clinical.routes import Route

D = Decimal
IV_ORDER = OrderedDose(
    Route.IV,
    dose_mg=D("34"),
    concentration_mg_per_ml=D("10"),
    volume_ml=D("3.4"),
    duration_min=40,
    rate_ml_per_h=D("5.1"),
)
PER_ML = StrengthMeasure.PER_ML
PER_UNIT = StrengthMeasure.PER_UNIT


def test_a_50_mg_per_ml_vial_against_a_10_mg_per_ml_order_is_refused_naming_both():
    with pytest.raises(InvalidValue) as refused:
        prepare_dose(IV_ORDER, strength_mg=D("50"), measure=PER_ML)
    assert refused.value.field == "container"
    message = refused.value.message
    assert "50 mg/mL" in message
    assert "10 mg/mL" in message
    assert "170 mg" in message
    assert "34 mg" in message


def test_the_ordered_strength_gives_the_ordered_volume_and_rate():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    assert (prepared.volume_ml, prepared.dose_mg, prepared.rate_ml_per_h) == (
        D("3.4"),
        D("34.0"),
        D("5.1"),
    )
    assert not prepared.recomputed
    assert "3.4 mL at 10 mg/mL = 34 mg over 40 min at 5.1 mL/h" in prepared.note


def test_an_order_without_concentration_is_recomputed_from_the_product():
    # 34 mg at 50 mg/mL = 0.68 mL, rounded down to 0.6 mL = 30 mg; 0.6 x 60 / 40 = 0.9 mL/h.
    order = OrderedDose(Route.IV, dose_mg=D("34"), duration_min=40)
    prepared = prepare_dose(order, strength_mg=D("50"), measure=PER_ML)
    assert prepared.recomputed
    assert (prepared.volume_ml, prepared.dose_mg, prepared.rate_ml_per_h) == (
        D("0.6"),
        D("30.0"),
        D("0.9"),
    )
    assert "draw 0.6 mL = 30 mg" in prepared.note


def test_an_im_order_without_concentration_has_no_rate():
    order = OrderedDose(Route.IM, dose_mg=D("35"))
    prepared = prepare_dose(order, strength_mg=D("50"), measure=PER_ML)
    assert (prepared.volume_ml, prepared.rate_ml_per_h) == (D("0.7"), None)


def test_an_iv_order_with_a_concentration_but_no_stored_rate_gets_one():
    order = OrderedDose(
        Route.IV, dose_mg=D("34"), concentration_mg_per_ml=D("10"), volume_ml=D("3.4"),
        duration_min=40,
    )  # fmt: skip
    assert prepare_dose(order, strength_mg=D("10"), measure=PER_ML).rate_ml_per_h == D("5.1")


def test_a_product_too_concentrated_for_the_dose_is_refused():
    order = OrderedDose(Route.IM, dose_mg=D("2"))
    with pytest.raises(InvalidValue, match=r"less than 0\.1 mL") as refused:
        prepare_dose(order, strength_mg=D("50"), measure=PER_ML)
    assert refused.value.field == "container"


@pytest.mark.parametrize(
    ("route", "measure"),
    [(Route.IV, PER_UNIT), (Route.ESKETAMINE, PER_ML), (Route.SUBLINGUAL, PER_ML)],
)
def test_the_wrong_form_for_the_route_is_refused(route, measure):
    with pytest.raises(InvalidValue, match="not how this route is given"):
        prepare_dose(OrderedDose(route, dose_mg=D("56")), strength_mg=D("28"), measure=measure)


def test_a_strength_of_zero_is_refused():
    with pytest.raises(InvalidValue) as refused:
        prepare_dose(IV_ORDER, strength_mg=D("0"), measure=PER_ML)
    assert refused.value.field == "strength_mg"


def test_esketamine_counts_the_ordered_devices():
    order = OrderedDose(Route.ESKETAMINE, dose_mg=D("84"), devices=3)
    prepared = prepare_dose(order, strength_mg=D("28"), measure=PER_UNIT)
    assert (prepared.units, prepared.dose_mg) == (3, D("84"))
    assert check_given(prepared, units_given=3) == ()
    (short,) = check_given(prepared, units_given=2)
    assert (short.code, short.field, short.authority) == (
        DeviationCode.AMOUNT_BELOW_ORDER,
        "units_given",
        Authority.PRESCRIBER,
    )
    assert "2 unit(s) given (56 mg)" in short.message
    (extra,) = check_given(prepared, units_given=4)
    assert extra.code is DeviationCode.AMOUNT_ABOVE_ORDER


def test_esketamine_without_a_stored_device_count_derives_it():
    order = OrderedDose(Route.ESKETAMINE, dose_mg=D("56"))
    assert prepare_dose(order, strength_mg=D("28"), measure=PER_UNIT).units == 2


def test_an_esketamine_device_of_another_strength_is_refused():
    order = OrderedDose(Route.ESKETAMINE, dose_mg=D("56"), devices=2)
    with pytest.raises(InvalidValue, match="holds 14 mg devices but the order is for 28 mg"):
        prepare_dose(order, strength_mg=D("14"), measure=PER_UNIT)


def test_troches_make_the_dose_in_whole_units():
    # 200 mg from 100 mg troches = 2 troches, exactly.
    order = OrderedDose(Route.SUBLINGUAL, dose_mg=D("200"))
    prepared = prepare_dose(order, strength_mg=D("100"), measure=PER_UNIT)
    assert prepared.units == 2
    assert check_given(prepared, units_given=2) == ()
    (extra,) = check_given(prepared, units_given=3)
    assert extra.code is DeviationCode.AMOUNT_ABOVE_ORDER
    assert "3 unit(s) given (300 mg)" in extra.message


@pytest.mark.parametrize("dose", ["150", "50"])
def test_troches_that_cannot_make_the_dose_are_refused(dose):
    # 150 / 100 = 1.5 troches; 50 / 100 = half a troche: neither is whole.
    with pytest.raises(InvalidValue, match="not a whole number of 100 mg units"):
        prepare_dose(
            OrderedDose(Route.SUBLINGUAL, dose_mg=D(dose)), strength_mg=D("100"), measure=PER_UNIT
        )


def test_oral_takes_a_solution_or_units():
    order = OrderedDose(Route.ORAL, dose_mg=D("100"))
    assert prepare_dose(order, strength_mg=D("50"), measure=PER_ML).volume_ml == D("2")
    assert prepare_dose(order, strength_mg=D("50"), measure=PER_UNIT).units == 2


def test_units_need_a_count_and_no_volume():
    prepared = prepare_dose(
        OrderedDose(Route.SUBLINGUAL, dose_mg=D("100")), strength_mg=D("100"), measure=PER_UNIT
    )
    with pytest.raises(MissingItem) as missing:
        check_given(prepared)
    assert missing.value.field == "units_given"
    with pytest.raises(InvalidValue, match="cannot be negative"):
        check_given(prepared, units_given=-1)
    with pytest.raises(InvalidValue) as drawn:
        check_drawn(prepared, D("1"))
    assert drawn.value.field == "volume_drawn_ml"
    assert check_drawn(prepared, None) == ()


def test_drawn_volume_within_a_tenth_of_a_millilitre_passes():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    assert check_drawn(prepared, D("3.5")) == ()
    assert check_drawn(prepared, D("3.3")) == ()
    (over,) = check_drawn(prepared, D("3.6"))
    assert (over.code, over.field, over.authority) == (
        DeviationCode.VOLUME_DRAWN,
        "volume_drawn_ml",
        Authority.PRESCRIBER,
    )
    assert over.message == "3.6 mL drawn (36 mg) is not the 3.4 mL ordered (34 mg) ± 0.1 mL"
    with pytest.raises(MissingItem):
        check_drawn(prepared, None)


def test_given_volume_beyond_the_tolerance_needs_the_prescriber():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    assert check_given(prepared, volume_given_ml=D("3.4")) == ()
    (under,) = check_given(prepared, volume_given_ml=D("1.7"))
    assert under.code is DeviationCode.AMOUNT_BELOW_ORDER
    assert under.message.startswith("1.7 mL given (17 mg) is less than the 3.4 mL ordered")
    (over,) = check_given(prepared, volume_given_ml=D("4"))
    assert over.code is DeviationCode.AMOUNT_ABOVE_ORDER
    with pytest.raises(MissingItem):
        check_given(prepared)


def test_the_84_second_infusion_is_a_rate_error_for_the_prescriber():
    # 3.4 mL in 1.4 min = 3.4 x 60 / 1.4 = 145.71 mL/h against 5.1 ordered.
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    (fast,) = check_timing(IV_ORDER, prepared, elapsed_min=D("1.4"), volume_given_ml=D("3.4"))
    assert (fast.code, fast.field, fast.authority) == (
        DeviationCode.RATE_ABOVE_ORDER,
        "stopped_at",
        Authority.PRESCRIBER,
    )
    assert "ended after 1.4 min" in fast.message
    assert "145.71 mL/h" in fast.message


def test_an_infusion_ended_at_once_is_a_rate_error():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    (fast,) = check_timing(IV_ORDER, prepared, elapsed_min=D("0"))
    assert fast.code is DeviationCode.RATE_ABOVE_ORDER
    assert "at once" in fast.message


def test_an_infusion_stopped_early_at_the_ordered_rate_needs_a_reason():
    # Stopped at 20 min with 1.7 mL: 1.7 x 60 / 20 = 5.1 mL/h, the ordered rate.
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    (early,) = check_timing(IV_ORDER, prepared, elapsed_min=D("20"), volume_given_ml=D("1.7"))
    assert (early.code, early.authority) == (DeviationCode.ENDED_EARLY, Authority.REASON)
    nothing_given = check_timing(IV_ORDER, prepared, elapsed_min=D("0"), volume_given_ml=D("0"))
    assert nothing_given[0].code is DeviationCode.ENDED_EARLY


def test_the_duration_window_is_five_minutes_or_ten_percent():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    # 40 min: window max(5, 4) = 5 -> 35 and 45 pass, 34.9 and 45.1 do not.
    assert check_timing(IV_ORDER, prepared, elapsed_min=D("35"), volume_given_ml=D("3.4")) == ()
    assert check_timing(IV_ORDER, prepared, elapsed_min=D("45")) == ()
    (late,) = check_timing(IV_ORDER, prepared, elapsed_min=D("45.1"))
    assert (late.code, late.authority) == (DeviationCode.ENDED_LATE, Authority.REASON)
    (early,) = check_timing(IV_ORDER, prepared, elapsed_min=D("34.9"), volume_given_ml=D("3.4"))
    # 3.4 x 60 / 34.9 = 5.85 mL/h > 5.1 x 1.1 = 5.61: too fast.
    assert early.code is DeviationCode.RATE_ABOVE_ORDER
    # 240 min: window 24 min -> 216 passes.
    long_order = OrderedDose(Route.IV, dose_mg=D("98"), duration_min=240)
    long_prepared = prepare_dose(long_order, strength_mg=D("10"), measure=PER_ML)
    assert check_timing(long_order, long_prepared, elapsed_min=D("216")) == ()
    assert DEFAULT_TOLERANCES.duration_min(240) == D("24.0")


def test_a_pump_rate_above_the_order_needs_the_prescriber():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    assert check_timing(IV_ORDER, prepared, pump_rate_ml_per_h=D("5.1")) == ()
    (fast,) = check_timing(IV_ORDER, prepared, pump_rate_ml_per_h=D("51"))
    assert (fast.code, fast.field, fast.authority) == (
        DeviationCode.RATE_ABOVE_ORDER,
        "rate_ml_per_h",
        Authority.PRESCRIBER,
    )


def test_timing_applies_to_iv_infusions_only_and_never_runs_backwards():
    im = OrderedDose(Route.IM, dose_mg=D("35"))
    prepared = prepare_dose(im, strength_mg=D("50"), measure=PER_ML)
    assert check_timing(im, prepared, elapsed_min=D("1")) == ()
    iv = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    with pytest.raises(InvalidValue) as backwards:
        check_timing(IV_ORDER, iv, elapsed_min=D("-1"))
    assert backwards.value.field == "stopped_at"


def test_required_authority_is_the_strongest_asked():
    prepared = prepare_dose(IV_ORDER, strength_mg=D("10"), measure=PER_ML)
    late = check_timing(IV_ORDER, prepared, elapsed_min=D("60"))
    over = check_drawn(prepared, D("4"))
    assert required_authority(()) is None
    assert required_authority(late) is Authority.REASON
    assert required_authority(late + over) is Authority.PRESCRIBER


def test_negative_tolerances_are_a_configuration_error():
    with pytest.raises(ConfigurationError, match="volume_ml"):
        AdministrationTolerances(volume_ml=D("-0.1"))
