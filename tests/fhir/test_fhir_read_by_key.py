"""A FHIR read fetches its row by key with a query compiled once (``ModelSource._by_key``)
and checks the row's site afterwards; a search compiles its queries per request. These
tests hold the two paths to the same answers: the same resource, byte for byte, for every
type; the same refusals for another site; and query counts that do not grow with the data.
"""

from __future__ import annotations

import orjson
from tests.fhir.test_fhir_sort_revinclude_appointment import _more_vitals
from tests.query_counts import counted_get

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.models import VitalSign
from ketaclinic.fhir.registry import RESOURCE_TYPES

# Types whose resources are the patient's (searched by ``patient``); the rest by ``_count``.
PATIENT_TYPES = tuple(
    name for name, rt in RESOURCE_TYPES.items() if rt.patient_linked and name != "Patient"
)


def _entries(client, path: str, **params) -> list[dict]:
    response = client.get(f"/fhir/{path}", params)
    assert response.status_code == 200, response.content
    return [e["resource"] for e in response.json().get("entry", [])]


def test_every_type_reads_by_key_exactly_what_its_search_returns(client, clinic, charted):
    client.force_login(clinic.nurse)
    searched = [("Patient", r) for r in _entries(client, "Patient", _id=clinic.alice.pk)]
    for type_name in PATIENT_TYPES:
        found = _entries(client, type_name, patient=clinic.alice.pk, _count=1000)
        searched += [(type_name, resource) for resource in found]
    for type_name in ("Practitioner", "PractitionerRole", "Organization", "Location"):
        searched += [(type_name, r) for r in _entries(client, type_name, _count=1000)]
    assert {t for t, _r in searched} == set(RESOURCE_TYPES) - {"Questionnaire"}
    for type_name, resource in searched:
        response = client.get(f"/fhir/{type_name}/{resource['id']}")
        assert response.status_code == 200, (type_name, resource["id"])
        assert response.content == orjson.dumps(resource), (type_name, resource["id"])


def test_another_sites_nurse_reads_none_of_alices_resources_by_key(client, clinic, charted):
    client.force_login(clinic.nurse)
    references = [f"Patient/{clinic.alice.pk}"]
    for type_name in PATIENT_TYPES:
        found = _entries(client, type_name, patient=clinic.alice.pk, _count=1000)
        references += [f"{type_name}/{resource['id']}" for resource in found]
    assert len(references) > len(PATIENT_TYPES)
    client.force_login(clinic.nurse_b)
    statuses = {ref: client.get(f"/fhir/{ref}").status_code for ref in references}
    assert set(statuses.values()) == {404}, statuses


def test_a_read_audits_the_patient_it_belongs_to(client, clinic, charted):
    client.force_login(clinic.nurse)
    vital = charted.vitals[1]
    assert client.get(f"/fhir/Observation/hr-{vital.pk}").status_code == 200
    event = AuditEvent.objects.filter(object_type="fhir.Observation").latest("position")
    assert (event.action, event.object_id) == ("view", f"hr-{vital.pk}")
    assert (event.patient_id, event.site_id) == (clinic.alice.pk, clinic.alice.site_id)


def test_an_id_past_any_key_is_not_found_and_searching_by_it_finds_nothing(client, clinic, charted):
    client.force_login(clinic.nurse)
    huge = "9" * 20
    assert client.get(f"/fhir/Patient/{huge}").status_code == 404
    assert client.get(f"/fhir/Observation/bp-{huge}").status_code == 404
    response = client.get("/fhir/Observation", {"patient": huge, "_count": 50})
    assert response.status_code == 200
    assert response.json()["total"] == 0
    response = client.get("/fhir/Observation", {"_id": f"bp-{huge}"})
    assert (response.status_code, response.json()["total"]) == (200, 0)


def test_a_search_pages_query_count_does_not_grow_with_the_patients_rows(client, clinic, charted):
    """One query per source the page reaches (every source here, at ``_count=1000``), never
    one per row."""
    client.force_login(clinic.nurse)
    url = f"/fhir/Observation?patient={clinic.alice.pk}&_count=1000"
    client.get(url)  # the session and the compiled queries warm
    few, response = counted_get(client, url)
    before = response.json()["total"]
    _more_vitals(charted, clinic, 60)
    many, response = counted_get(client, url)
    assert response.json()["total"] == before + 4 * 60  # bp, hr, SpO2 and rr per row
    assert many == few


def test_a_reads_query_count_is_the_same_for_every_row_of_a_table(client, clinic, charted):
    client.force_login(clinic.nurse)
    _more_vitals(charted, clinic, 30)
    keys = list(VitalSign.objects.order_by("pk").values_list("pk", flat=True))
    client.get(f"/fhir/Observation/bp-{keys[0]}")
    counts = {counted_get(client, f"/fhir/Observation/bp-{key}")[0] for key in keys[::10]}
    assert len(counts) == 1, counts
