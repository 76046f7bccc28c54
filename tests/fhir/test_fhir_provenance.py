"""Provenance: who recorded what, read from the charted rows, searched by target and agent."""

from __future__ import annotations

from tests.fhir.test_fhir_api import get, ids

from ketaclinic.apps.audit.models import AuditEvent

PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def _agents(provenance):
    return [(a["type"]["coding"][0]["code"], a["who"]["reference"]) for a in provenance["agent"]]


def test_vital_signs_provenance_names_the_nurse_and_every_observation_of_the_row(
    client, clinic, charted
):
    vital = charted.vitals[0]  # the row with a respiratory rate
    response = get(client, clinic.prescriber, f"Provenance/vs-{vital.pk}")
    assert response.status_code == 200
    provenance = response.json()
    assert provenance["resourceType"] == "Provenance"
    assert [t["reference"] for t in provenance["target"]] == [
        f"Observation/{kind}-{vital.pk}" for kind in ("bp", "hr", "spo2", "rr")
    ]
    assert _agents(provenance) == [("author", f"Practitioner/{clinic.nurse.pk}")]
    assert provenance["agent"][0]["onBehalfOf"] == {
        "reference": f"Organization/{clinic.site_a.organisation_id}"
    }
    assert provenance["recorded"] == vital.entered_at.isoformat()
    assert provenance["meta"]["lastUpdated"] == provenance["recorded"]
    assert provenance["activity"]["coding"][0]["code"] == "CREATE"
    assert AuditEvent.objects.filter(
        object_type="fhir.Provenance", object_id=f"vs-{vital.pk}", action="view"
    ).exists()


def test_a_self_report_is_authored_by_the_patient_with_no_organisation(client, clinic, charted):
    provenance = get(client, clinic.nurse, f"Provenance/as-{charted.phq9.pk}").json()
    assert [t["reference"] for t in provenance["target"]] == [
        f"Observation/as-{charted.phq9.pk}",
        f"QuestionnaireResponse/{charted.phq9.pk}",
    ]
    assert _agents(provenance) == [("author", f"Patient/{clinic.alice.pk}")]
    assert "onBehalfOf" not in provenance["agent"][0]


def test_a_dose_names_its_nurse_as_author_and_performer(client, clinic, charted):
    provenance = get(client, clinic.nurse, f"Provenance/ma-{charted.administration.pk}").json()
    assert provenance["target"] == [
        {"reference": f"MedicationAdministration/{charted.administration.pk}"}
    ]
    nurse = f"Practitioner/{clinic.nurse.pk}"
    assert _agents(provenance) == [("author", nurse), ("performer", nurse)]


def test_search_by_target_finds_the_provenance_of_one_observation(client, clinic, charted):
    vital = charted.vitals[1]
    bundle = get(client, clinic.nurse, "Provenance", target=f"Observation/hr-{vital.pk}").json()
    assert ids(bundle) == [f"vs-{vital.pk}"]
    event = charted.adverse_event
    bundle = get(client, clinic.nurse, "Provenance", target=f"AdverseEvent/{event.pk}").json()
    assert ids(bundle) == [f"ae-{event.pk}"]


def test_search_by_patient_and_agent_with_the_agent_included(client, clinic, charted):
    bundle = get(
        client,
        clinic.prescriber,
        "Provenance",
        patient=str(clinic.alice.pk),
        agent=f"Practitioner/{clinic.nurse.pk}",
        _include="Provenance:agent",
    ).json()
    assert ids(bundle) == [
        *(f"vs-{v.pk}" for v in charted.vitals),
        f"se-{charted.moaas.pk}",
        f"ma-{charted.administration.pk}",
        f"ae-{charted.adverse_event.pk}",
    ]
    included = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert [(r["resourceType"], r["id"]) for r in included] == [
        ("Practitioner", str(clinic.nurse.pk))
    ]
    by_patient = get(
        client, clinic.prescriber, "Provenance", agent=f"Patient/{clinic.alice.pk}"
    ).json()
    assert ids(by_patient) == [f"as-{charted.phq9.pk}"]


def test_provenance_follows_the_pages_access(client, clinic, charted):
    vital = f"Provenance/vs-{charted.vitals[0].pk}"
    assert get(client, clinic.nurse_b, vital).status_code == 404
    assert get(client, clinic.front_desk, vital).status_code == 403
    assert get(client, clinic.front_desk, "Provenance").json()["total"] == 0
    assert ids(get(client, clinic.nurse_b, "Provenance").json()) == [f"as-{charted.bob_phq9.pk}"]


def test_everything_carries_the_provenance_of_the_record(client, clinic, charted):
    bundle = get(client, clinic.prescriber, f"Patient/{clinic.alice.pk}/$everything").json()
    provenance = {
        e["resource"]["id"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Provenance"
    }
    assert f"ma-{charted.administration.pk}" in provenance
    assert f"as-{charted.phq9.pk}" in provenance
