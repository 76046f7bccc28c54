"""Superbill codes for each route and session kind, worked by hand (``clinical.billing_codes``).

The cases file gives every boundary of the time bands and the 56 mg line with the
arithmetic in its ``why``; the tests below add the refusals and the clinic's own codes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ketaclinic.clinical import cite
from ketaclinic.clinical.billing_codes import (
    DEFAULT_CODES,
    ICD10_OF_INDICATION,
    PayerKind,
    Service,
    ServiceLine,
    SessionFacts,
    SessionKind,
    code_lines,
    diagnosis_codes,
    infusion_units,
    psychotherapy_service,
    services_for,
)
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, UnknownCode
from ketaclinic.clinical.vocabulary import Route

CASES = json.loads(
    (Path(__file__).parents[1] / "cases" / "billing" / "session_codes.json").read_text()
)["cases"]


def facts(case: dict) -> SessionFacts:
    return SessionFacts(
        route=Route(case["route"]),
        kind=SessionKind(case["kind"]),
        payer=PayerKind(case["payer"]),
        dose_mg=Decimal(case["dose_mg"]) if "dose_mg" in case else None,
        drug_minutes=case.get("drug_minutes"),
        face_to_face_minutes=case.get("face_to_face_minutes"),
    )


@pytest.mark.parametrize("case", CASES, ids=[c["why"][:50] for c in CASES])
def test_each_session_gets_the_hand_worked_codes_and_units(case):
    lines = code_lines(services_for(facts(case)))
    assert [[line.code, line.units] for line in lines] == case["expected"], case["why"]


def test_every_default_code_cites_a_registered_source():
    assert set(DEFAULT_CODES) == set(Service)
    for code in DEFAULT_CODES.values():
        assert cite(code.source).citation
        assert code.system in {"HCPCS", "CPT"}


def test_j0013_replaced_s0013_and_the_old_code_is_nowhere_in_the_defaults():
    assert DEFAULT_CODES[Service.ESKETAMINE_PER_MG].code == "J0013"
    assert "S0013" not in {c.code for c in DEFAULT_CODES.values()}
    assert "S0013" in cite("cms_hcpcs_2026").note


def test_the_clinic_s_own_code_replaces_the_default_for_that_service_only():
    services = (ServiceLine(Service.IV_INFUSION_FIRST_HOUR, 1), ServiceLine(Service.IV_PUSH, 1))
    first, push = code_lines(services, {"iv_infusion_first_hour": " 96365-XU ", "iv_push": ""})
    assert (first.code, first.system, first.source) == ("96365-XU", "clinic", "")
    assert (push.code, push.system, push.source) == ("96374", "CPT", "ama_cpt_2026_infusion")


def test_a_mapping_for_an_unknown_service_is_refused_by_name():
    with pytest.raises(UnknownCode) as error:
        code_lines((), {"teleport": "X1"})
    assert error.value.field == "mapping"
    assert "teleport" in error.value.message


def test_an_infusion_without_its_running_time_cannot_be_coded():
    with pytest.raises(MissingItem) as error:
        services_for(SessionFacts(Route.IV, SessionKind.DOSING, PayerKind.COMMERCIAL))
    assert error.value.field == "drug_minutes"


def test_an_infusion_of_no_minutes_is_refused():
    with pytest.raises(InvalidValue):
        infusion_units(0)


def test_esketamine_without_a_dose_cannot_be_coded():
    with pytest.raises(MissingItem) as error:
        services_for(SessionFacts(Route.ESKETAMINE, SessionKind.DOSING, PayerKind.MEDICARE))
    assert error.value.field == "dose_mg"


@pytest.mark.parametrize("dose", ["56.5", "0", "-28"])
def test_j0013_needs_a_whole_positive_number_of_mg(dose):
    with pytest.raises(InvalidValue) as error:
        services_for(
            SessionFacts(Route.ESKETAMINE, SessionKind.DOSING, PayerKind.SELF_PAY, Decimal(dose))
        )
    assert error.value.field == "dose_mg"


def test_psychotherapy_without_its_length_cannot_be_coded():
    with pytest.raises(MissingItem) as error:
        services_for(SessionFacts(Route.IV, SessionKind.INTEGRATION, PayerKind.COMMERCIAL))
    assert error.value.field == "face_to_face_minutes"


def test_psychotherapy_bands_at_their_edges():
    assert psychotherapy_service(15) is None
    assert psychotherapy_service(16) is Service.PSYCHOTHERAPY_30
    assert psychotherapy_service(53) is Service.PSYCHOTHERAPY_60


def test_treatment_resistant_depression_is_coded_as_recurrent_severe_depression():
    assert diagnosis_codes("trd") == (
        ("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
    )


def test_depression_with_suicidal_ideation_carries_both_codes_primary_first():
    assert [code for code, _ in diagnosis_codes("mdd_suicidal_ideation")] == ["F32.2", "R45.851"]


@pytest.mark.parametrize("indication", ["other", ""])
def test_an_indication_without_a_code_asks_for_the_diagnosis(indication):
    with pytest.raises(MissingItem) as error:
        diagnosis_codes(indication)
    assert error.value.field == "indication"


def test_an_unknown_indication_is_refused():
    with pytest.raises(UnknownCode):
        diagnosis_codes("melancholy")


def test_every_coded_indication_names_its_codes_in_the_icd10_source():
    note = cite("icd10cm_fy2026").note
    for codes in ICD10_OF_INDICATION.values():
        for code, _title in codes:
            assert code in note
