"""A hard cap never silently changes a protocol: both doses are shown, the prescriber chooses.

Issue 12: the IV chronic-pain protocol, 0.35 mg/kg/h over 240 min, at 70 kg is
0.35 x 240 / 60 = 1.4 mg/kg = 98 mg; IV's hard cap is 1.0 mg/kg = 70 mg (Fava 2018).
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

import pytest

from ketaclinic.clinical.dosing import (
    CLINIC_SETTING,
    DEFAULT_DOSING_PARAMETERS,
    CapChoice,
    DosingParameters,
    HardCapAction,
    RouteLimits,
    calculate_dose,
)
from ketaclinic.clinical.exceptions import OutOfRange
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.sources import SOURCES

D = Decimal


def pain_dose(**kwargs):
    return calculate_dose(
        Route.IV, weight_kg=D("70"), mg_per_kg=D("1.4"), duration_min=240, **kwargs
    )


def test_above_the_cap_the_result_carries_both_doses_and_the_caps_source():
    result = pain_dose()
    assert (result.requested_dose_mg, result.dose_mg) == (D("98.000"), D("70.0"))
    assert result.capped
    assert result.above_hard_cap
    assert (result.hard_cap_mg, result.hard_cap_source) == (D("70.000"), "dose.fava-2018")
    assert result.cap_choice is None
    assert any("clipped to 70 mg [dose.fava-2018]" in w for w in result.warnings)


def test_the_prescriber_may_choose_the_capped_dose():
    result = pain_dose(cap_choice=CapChoice.CAPPED)
    assert (result.dose_mg, result.capped, result.cap_choice) == (
        D("70.0"),
        True,
        CapChoice.CAPPED,
    )


def test_the_prescriber_may_choose_the_requested_dose():
    result = pain_dose(cap_choice=CapChoice.REQUESTED)
    assert (result.dose_mg, result.capped, result.cap_choice) == (
        D("98.0"),
        False,
        CapChoice.REQUESTED,
    )
    assert result.hard_cap_mg == D("70.000")
    assert any("given as requested, by the prescriber's choice" in w for w in result.warnings)


def test_a_dose_under_the_cap_asks_nothing():
    result = calculate_dose(Route.IV, weight_kg=D("70"), mg_per_kg=D("0.5"))
    assert not result.above_hard_cap
    assert result.hard_cap_source == ""


def test_esketamine_above_84_mg_carries_the_label_as_source():
    result = calculate_dose(Route.ESKETAMINE, weight_kg=D("70"), dose_mg=D("112"))
    assert (result.dose_mg, result.hard_cap_source) == (D("84"), "protocol.spravato-label-dosing")
    chosen = calculate_dose(
        Route.ESKETAMINE, weight_kg=D("70"), dose_mg=D("112"), cap_choice=CapChoice.REQUESTED
    )
    assert (chosen.dose_mg, chosen.devices) == (D("112"), 4)


def test_a_refusing_clinic_refuses_even_the_requested_choice():
    refusing = DosingParameters(hard_cap_action=HardCapAction.REFUSE)
    with pytest.raises(OutOfRange):
        pain_dose(parameters=refusing, cap_choice=CapChoice.REQUESTED)


def test_every_default_cap_names_a_known_source():
    for limits in DEFAULT_DOSING_PARAMETERS.limits.values():
        if limits.hard_cap_mg is not None or limits.hard_cap_mg_per_kg is not None:
            assert limits.hard_cap_label in SOURCES
        if limits.soft_cap_mg is not None or limits.soft_cap_mg_per_kg is not None:
            assert limits.soft_cap_label in SOURCES


def test_a_clinics_own_cap_is_labelled_as_its_setting():
    own = RouteLimits(dose_step_mg=D("0.5"), hard_cap_mg=D("50"))
    assert (own.hard_cap_label, own.soft_cap_label) == (CLINIC_SETTING, CLINIC_SETTING)
    limits = dict(DEFAULT_DOSING_PARAMETERS.limits)
    limits[Route.IM] = own

    parameters = DosingParameters(limits=MappingProxyType(limits))
    result = calculate_dose(Route.IM, weight_kg=D("70"), dose_mg=D("60"), parameters=parameters)
    assert (result.dose_mg, result.hard_cap_source) == (D("50"), CLINIC_SETTING)
