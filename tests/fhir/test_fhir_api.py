"""The /fhir/ REST API: read, search, paging, _include, $everything, errors, access, audit."""

from __future__ import annotations

import pytest

from ketaclinic.apps.audit.models import AuditEvent

FHIR_JSON = "application/fhir+json"


def get(client, user, path, **params):
    if user is not None:
        client.force_login(user)
    return client.get(f"/fhir/{path}", params)


def ids(bundle):
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def test_metadata_lists_every_served_type_with_its_search_parameters(client, db, fixed_clock):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(resources) == {
        "Patient",
        "Condition",
        "CarePlan",
        "Encounter",
        "Appointment",
        "Observation",
        "QuestionnaireResponse",
        "MedicationAdministration",
        "AdverseEvent",
        "Provenance",
        "Questionnaire",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
    }
    observation_params = {p["name"] for p in resources["Observation"]["searchParam"]}
    assert {"patient", "code", "category", "date", "status", "_lastUpdated"} <= observation_params
    assert resources["Patient"]["operation"][0]["name"] == "everything"


def test_reading_a_patient_returns_the_patient_as_fhir_json_and_audits_the_view(
    client, clinic, charted
):
    response = get(client, clinic.nurse, f"Patient/{clinic.alice.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    patient = response.json()
    assert patient["name"][0]["family"] == clinic.alice.family_name
    assert patient["identifier"][0]["value"] == clinic.alice.mrn
    event = AuditEvent.objects.filter(object_type="fhir.Patient").latest("position")
    assert event.action == "view"
    assert event.patient_id == clinic.alice.pk
    assert event.actor_id == clinic.nurse.pk


def test_a_patient_at_another_site_is_not_found(client, clinic, charted):
    response = get(client, clinic.nurse_b, f"Patient/{clinic.alice.pk}")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "not-found"


def test_without_a_session_the_api_answers_401_with_an_operation_outcome(client, clinic, charted):
    response = client.get(f"/fhir/Patient/{clinic.alice.pk}")
    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"


def test_a_role_without_the_permission_gets_403(client, clinic, charted):
    # Front desk does not read session charts, so no vital signs or doses.
    response = get(client, clinic.front_desk, "MedicationAdministration", patient=clinic.alice.pk)
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"


def test_an_unknown_type_is_404_and_an_unknown_parameter_is_400(client, clinic, charted):
    assert get(client, clinic.nurse, "Immunization").status_code == 404
    response = get(client, clinic.nurse, "Observation", colour="blue")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["colour"]
    assert get(client, clinic.nurse, "Observation", date="yesterday").status_code == 400


def test_search_phq9_totals_by_loinc_code_for_one_patient(client, clinic, charted):
    response = get(
        client,
        clinic.nurse,
        "Observation",
        patient=clinic.alice.pk,
        code="http://loinc.org|44261-6",
    )
    bundle = response.json()
    assert bundle["type"] == "searchset"
    assert ids(bundle) == [f"as-{charted.phq9.pk}"]
    observation = bundle["entry"][0]["resource"]
    assert observation["valueInteger"] == 9
    assert observation["category"][0]["coding"][0]["code"] == "survey"
    assert observation["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{charted.phq9.pk}"}]
    event = AuditEvent.objects.filter(action="search").latest("position")
    assert event.patient_id == clinic.alice.pk
    assert event.detail["patients"] == [clinic.alice.pk]


def test_search_vital_signs_by_category_and_code(client, clinic, charted):
    vitals = get(
        client, clinic.nurse, "Observation", patient=clinic.alice.pk, category="vital-signs"
    )
    found = ids(vitals.json())
    bp, bp2 = (f"bp-{v.pk}" for v in charted.vitals)
    assert {bp, bp2, f"hr-{charted.vitals[0].pk}", f"rr-{charted.vitals[0].pk}"} <= set(found)
    assert f"rr-{charted.vitals[1].pk}" not in found  # not recorded
    assert any(i.startswith("wt-") for i in found)
    assert any(i.startswith("ht-") for i in found)
    panel = get(client, clinic.nurse, "Observation", patient=clinic.alice.pk, code="85354-9")
    assert ids(panel.json()) == [bp, bp2]
    systolic = panel.json()["entry"][1]["resource"]["component"][0]
    assert systolic["code"]["coding"][0]["code"] == "8480-6"
    assert systolic["valueQuantity"] == {
        "value": 142,
        "unit": "mmHg",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2026-03-10", 2),
        ("ge2026-03-10T13:45:00Z", 1),  # the second reading, at 14:10
        ("lt2026-03-10T13:45:00Z", 1),
        ("gt2026-03-10", 0),
        ("eb2026-03-10", 0),
        ("2026-03", 2),
        ("ne2026-03-10", 0),
    ],
)
def test_date_prefixes_narrow_observations(client, clinic, charted, date, expected):
    response = get(
        client, clinic.nurse, "Observation", patient=clinic.alice.pk, code="85354-9", date=date
    )
    assert response.json()["total"] == expected


def test_count_pages_with_next_links_that_lead_through_every_result(client, clinic, charted):
    response = get(client, clinic.nurse, "Observation", patient=clinic.alice.pk, _count="3")
    bundle = response.json()
    total = bundle["total"]
    seen = ids(bundle)
    while next_link := next((x["url"] for x in bundle["link"] if x["relation"] == "next"), None):
        bundle = client.get(next_link).json()
        seen += ids(bundle)
    assert len(seen) == total == len(set(seen))
    assert total >= 9  # 2 BP, 2 HR, 2 SpO2, 1 RR, weight, height, PHQ-9, MOAA/S


def test_include_brings_the_patient_once(client, clinic, charted):
    response = get(
        client,
        clinic.nurse,
        "Observation",
        patient=clinic.alice.pk,
        code="85354-9",
        _include="Observation:patient",
    )
    entries = response.json()["entry"]
    included = [e for e in entries if e["search"]["mode"] == "include"]
    assert [e["resource"]["resourceType"] for e in included] == ["Patient"]
    assert get(client, clinic.nurse, "Observation", _include="Observation:bogus").status_code == 400


def test_search_is_scoped_to_the_users_sites(client, clinic, charted):
    nurse_a = get(client, clinic.nurse, "QuestionnaireResponse").json()
    assert ids(nurse_a) == [str(charted.phq9.pk)]
    nurse_b = get(client, clinic.nurse_b, "QuestionnaireResponse").json()
    assert ids(nurse_b) == [str(charted.bob_phq9.pk)]
    assert get(client, clinic.nurse_b, "Observation", patient=clinic.alice.pk).json()["total"] == 0


def test_status_and_last_updated_filter_encounters(client, clinic, charted):
    finished = get(client, clinic.nurse, "Encounter", status="finished").json()
    assert ids(finished) == [str(charted.session.pk)]
    assert get(client, clinic.nurse, "Encounter", status="planned").json()["total"] == 0
    assert get(client, clinic.nurse, "Patient", _lastUpdated="lt2000-01-01").json()["total"] == 0


def test_medication_administration_carries_rxnorm_dose_route_rate_and_lot(client, clinic, charted):
    response = get(client, clinic.nurse, f"MedicationAdministration/{charted.administration.pk}")
    resource = response.json()
    medication = resource["contained"][0]
    assert medication["code"]["coding"][0] == {
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "code": "6130",
        "display": "ketamine",
    }
    assert medication["batch"]["lotNumber"] == "K2291"
    assert resource["dosage"]["dose"]["value"] == 35
    assert resource["dosage"]["rateQuantity"]["value"] == 5.25
    assert resource["dosage"]["route"]["coding"][0]["code"] == "47625008"
    assert resource["context"] == {"reference": f"Encounter/{charted.session.pk}"}


def test_everything_returns_the_whole_record_and_the_staff_it_refers_to(client, clinic, charted):
    response = get(client, clinic.prescriber, f"Patient/{clinic.alice.pk}/$everything")
    assert response.status_code == 200
    types = {e["resource"]["resourceType"] for e in response.json()["entry"]}
    assert {
        "Patient",
        "Condition",
        "CarePlan",
        "Encounter",
        "Observation",
        "QuestionnaireResponse",
        "MedicationAdministration",
        "AdverseEvent",
        "Practitioner",
        "Location",
        "Organization",
    } <= types
    event = AuditEvent.objects.filter(object_type="fhir.Patient").latest("position")
    assert event.detail["operation"] == "$everything"


def test_everything_for_front_desk_leaves_out_the_session_chart(client, clinic, charted):
    response = get(client, clinic.front_desk, f"Patient/{clinic.alice.pk}/$everything")
    types = {e["resource"]["resourceType"] for e in response.json()["entry"]}
    assert "Encounter" in types
    assert not types & {"MedicationAdministration", "AdverseEvent", "QuestionnaireResponse"}


def test_careplan_addresses_the_indication_and_lists_its_sessions(client, clinic, charted):
    careplan = get(client, clinic.prescriber, f"CarePlan/{charted.session.course_id}").json()
    assert careplan["addresses"] == [{"reference": f"Condition/{charted.condition.pk}"}]
    assert careplan["activity"][0]["outcomeReference"] == [
        {"reference": f"Encounter/{charted.session.pk}"}
    ]
    assert careplan["status"] == "active"


def test_locations_are_the_sites_and_their_chairs(client, clinic, charted):
    bundle = get(client, clinic.nurse, "Location").json()
    found = ids(bundle)
    assert f"site-{clinic.site_a.pk}" in found
    assert f"chair-{clinic.site_a.pk}-1" in found
    assert f"site-{clinic.site_b.pk}" not in found
    chair = get(client, clinic.nurse, f"Location/chair-{clinic.site_a.pk}-2").json()
    assert chair["partOf"]["reference"] == f"Location/site-{clinic.site_a.pk}"


@pytest.mark.parametrize(
    ("persona", "patient", "vitals", "questionnaire_response"),
    [
        ("anonymous", 401, 401, 401),
        ("front_desk", 200, 403, 403),
        ("nurse", 200, 200, 200),
        ("prescriber", 200, 200, 200),
        ("therapist", 200, 200, 200),
        ("director", 200, 200, 200),
        ("admin", 403, 403, 403),
        ("nurse_b", 404, 404, 404),
        ("no_role", 403, 403, 403),
    ],
)
def test_every_persona_reads_what_the_pages_let_them_read(
    client, clinic, charted, persona, patient, vitals, questionnaire_response
):
    user = clinic.persona(persona)
    paths = (
        f"Patient/{clinic.alice.pk}",
        f"Observation/bp-{charted.vitals[0].pk}",
        f"QuestionnaireResponse/{charted.phq9.pk}",
    )
    statuses = tuple(get(client, user, path).status_code for path in paths)
    assert statuses == (patient, vitals, questionnaire_response)
