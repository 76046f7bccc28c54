"""Screening: the form feeds the core, findings come back with sources, sign-off rules hold."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from tests.treatment.conftest import CLEAN_IV, FORM_IV, screened

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.treatment.choices import ScreeningCondition
from ketaclinic.apps.treatment.models import ClinicRuleSettings, Screening
from ketaclinic.clinical.eligibility import RULES_VERSION, Condition, ScreeningParameters
from ketaclinic.clinical.sources import cite

# 146/88 is above 140/90 (systolic) and below 180/100: bp_elevated (review). Psychosis
# history: review. Lorazepam: benzodiazepine caution. (docs/cli-inputs.md example.)
REVIEW_FORM = {
    **FORM_IV,
    "bp_systolic": "146",
    "bp_diastolic": "88",
    "conditions": ["psychosis_history"],
    "medications": "sertraline, lorazepam",
}


@pytest.fixture
def prescriber(client, clinic, fixed_clock):
    client.force_login(clinic.prescriber)
    return client


def events(action: str, object_type: str):
    return AuditEvent.objects.filter(action=action, object_type=object_type)


def test_condition_labels_cover_exactly_the_cores_vocabulary():
    assert set(ScreeningCondition.values) == {c.value for c in Condition}


def test_screening_page_computes_age_from_birth_and_prefills_the_latest_weight(prescriber, clinic):
    response = prescriber.get(reverse("treatment:screening-new", args=[clinic.alice.pk]))
    # Alice was born 1984-06-02: on 2026-03-10 she is 41 (birthday not yet reached).
    assert response.context["age"] == 41
    form = response.context["form"]
    assert str(form["weight_kg"].value()) == "70.0"
    assert str(form["height_cm"].value()) == "170.0"
    assert form["sex"].value() == "female"
    assert "History of psychosis" in response.content.decode()


def test_a_screening_stores_the_inputs_parameters_version_and_findings(prescriber, clinic):
    response = prescriber.post(
        reverse("treatment:screening-new", args=[clinic.alice.pk]), REVIEW_FORM
    )
    screening = Screening.objects.get()
    assert response.url == reverse("treatment:screening", args=[screening.pk])
    assert screening.inputs == {
        **CLEAN_IV,
        "bp_systolic": 146,
        "bp_diastolic": 88,
        "conditions": ["psychosis_history"],
        "medications": ["sertraline", "lorazepam"],
    }
    assert screening.rules_version == RULES_VERSION
    assert screening.parameters["bp_elevated_systolic"] == 140
    assert screening.decision == "review"
    assert [(f["code"], f["level"]) for f in screening.findings] == [
        ("bp_elevated", "review"),
        ("psychosis_history", "review"),
        ("medication_benzodiazepine", "caution"),
    ]
    assert screening.screened_by == clinic.prescriber
    assert events("create", "screening").get().patient == clinic.alice


def test_a_bad_answer_is_a_field_error_from_the_core_and_nothing_is_stored(prescriber, clinic):
    url = reverse("treatment:screening-new", args=[clinic.alice.pk])
    response = prescriber.post(url, {**FORM_IV, "bp_diastolic": "130"})
    assert response.status_code == 422
    assert "must be lower than bp_systolic" in response.context["form"].errors["bp_diastolic"][0]
    home = prescriber.post(url, {**FORM_IV, "route": "sublingual", "setting": "home"})
    assert home.status_code == 422
    assert "required when setting is home" in str(
        home.context["form"].errors["responsible_adult_at_home"]
    )
    assert not Screening.objects.exists()


def test_findings_are_grouped_by_level_with_their_source_citation(prescriber, clinic):
    prescriber.post(reverse("treatment:screening-new", args=[clinic.alice.pk]), REVIEW_FORM)
    screening = Screening.objects.get()
    response = prescriber.get(reverse("treatment:screening", args=[screening.pk]))
    groups = response.context["groups"]
    assert [level for level, _label, _f in groups] == ["review", "caution"]
    body = response.content.decode()
    assert cite("screen.spravato-label").citation in body
    assert "Reason to proceed despite bp_elevated" in body
    assert events("view", "screening").count() == 1


def test_proceeding_past_a_review_finding_needs_a_documented_reason_for_each(prescriber, clinic):
    screening = screened(clinic, bp_systolic=146, bp_diastolic=88, conditions=["psychosis_history"])
    url = reverse("treatment:screening-sign", args=[screening.pk])
    missing = prescriber.post(url, {"decision": "proceed", "reason_bp_elevated": "ok"})
    assert missing.status_code == 422
    errors = missing.context["signoff_form"].errors
    assert "at least 10 characters" in errors["reason_bp_elevated"][0]
    assert "psychosis_history" in errors["reason_psychosis_history"][0]
    screening.refresh_from_db()
    assert not screening.is_signed
    response = prescriber.post(
        url,
        {
            "decision": "proceed",
            "reason_bp_elevated": "Repeat reading 132/84 after rest.",
            "reason_psychosis_history": "One episode in 2009, none since; psychiatrist agrees.",
        },
    )
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.signoff_decision == "proceed"
    assert screening.signed_by == clinic.prescriber
    assert screening.signoff_reasons["bp_elevated"] == "Repeat reading 132/84 after rest."
    sign = events("sign", "screening").get()
    assert sign.detail == {
        "decision": "proceed",
        "reasons_for": ["bp_elevated", "psychosis_history"],
    }


def test_a_contraindicated_finding_cannot_be_overridden(prescriber, clinic):
    screening = screened(clinic, conditions=["intracerebral_hemorrhage_history"])
    assert screening.decision == "ineligible"
    url = reverse("treatment:screening-sign", args=[screening.pk])
    refused = prescriber.post(url, {"decision": "proceed", "note": "I know better"})
    assert refused.status_code == 422
    assert "cannot be overridden" in str(refused.context["signoff_form"].errors)
    assert "cannot be overridden" in refused.content.decode()
    assert prescriber.post(url, {"decision": "do_not_proceed"}).status_code == 302
    screening.refresh_from_db()
    assert screening.signoff_decision == "do_not_proceed"
    assert not screening.may_plan


def test_cautions_alone_proceed_without_reasons_and_a_screening_is_signed_once(prescriber, clinic):
    screening = screened(clinic, medications=["lorazepam"])
    assert screening.decision == "eligible"
    url = reverse("treatment:screening-sign", args=[screening.pk])
    assert prescriber.post(url, {"decision": "proceed"}).status_code == 302
    again = prescriber.post(url, {"decision": "do_not_proceed"}, follow=True)
    assert "already signed" in again.content.decode()
    screening.refresh_from_db()
    assert screening.signoff_decision == "proceed"


def test_the_director_sets_the_sites_thresholds_with_an_audited_change(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    url = reverse("treatment:rule-settings")
    bad = client.post(url, {"overrides": '{"bp_elevated_systolic": 200}'})
    assert bad.status_code == 422
    assert "must not exceed" in str(bad.context["form"].errors["overrides"])
    unknown = client.post(url, {"overrides": '{"bp_limit": 150}'})
    assert unknown.status_code == 422
    assert "bp_limit" in str(unknown.context["form"].errors["overrides"])
    assert client.post(url, {"overrides": "{not json"}).status_code == 422
    ok = client.post(url, {"overrides": '{"bp_elevated_systolic": 150, "bmi_caution_kg_m2": 32.5}'})
    assert ok.status_code == 302
    stored = ClinicRuleSettings.objects.get(site=clinic.site_a)
    assert stored.screening_overrides == {"bp_elevated_systolic": 150, "bmi_caution_kg_m2": 32.5}
    change = events("update", "clinic_rule_settings").get()
    assert change.detail == {"from": {}, "to": stored.screening_overrides}
    assert change.actor == clinic.director
    # 146/88 is no longer above the site's 150/90, so no bp_elevated finding.
    screening = screened(clinic, bp_systolic=146, bp_diastolic=88)
    assert screening.decision == "eligible"
    assert screening.parameters["bp_elevated_systolic"] == 150
    assert ScreeningParameters.from_dict(screening.parameters).bp_elevated_systolic == 150


def _post(client, body):
    return client.post("/api/v1/screenings", json.dumps(body), content_type="application/json")


def test_api_runs_a_screening_from_the_cli_input_shape(prescriber, clinic):
    body = {**CLEAN_IV, "bp_systolic": 146, "bp_diastolic": 88, "patient_id": clinic.alice.pk}
    body.pop("age")
    response = _post(prescriber, body)
    assert response.status_code == 201
    data = response.json()
    assert data["decision"] == "review"
    assert data["findings"][0]["code"] == "bp_elevated"
    assert data["findings"][0]["source"] == "screen.spravato-label"
    assert data["rules_version"] == RULES_VERSION
    assert data["inputs"]["age"] == 41


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bp_systolic": None}, "bp_systolic"),
        ({"conditions": ["psychosis_current", "psychosis"]}, "conditions[1]"),
        ({"age": 40}, "age"),
        ({"colour": "blue"}, "colour"),
        ({"patient_id": "one"}, "patient_id"),
    ],
)
def test_api_bad_input_is_a_422_naming_the_field(prescriber, clinic, change, field):
    body = {**CLEAN_IV, "patient_id": clinic.alice.pk, **change}
    response = _post(prescriber, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Screening.objects.exists()
