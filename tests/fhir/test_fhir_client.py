"""A real FHIR client (SMART's ``fhirclient``, strict R4 models) reading the live server.

The client parses every resource into its R4 model classes, which refuse unknown elements
and wrong types, so this also checks the JSON the server sends against a second,
independent reading of the standard.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from fhirclient import client as fhir
from fhirclient.models.bundle import Bundle
from fhirclient.models.fhirelementfactory import FHIRElementFactory
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from tests.personas import PersonaClient


@pytest.fixture
def client_for(live_server):
    """A logged-in FHIR client; its HTTP session is closed afterwards, so the live server's
    keep-alive thread (and its database connection) ends with the test."""
    made: list[fhir.FHIRClient] = []

    def make(user) -> fhir.FHIRClient:
        made.append(_client_for(live_server, user))
        return made[-1]

    yield make
    for smart in made:
        smart.server.session.close()


def _client_for(live_server, user) -> fhir.FHIRClient:
    browser = PersonaClient()  # its log-in has passed the second factor
    browser.force_login(user)
    smart = fhir.FHIRClient(
        settings={"app_id": "ketaclinic-tests", "api_base": f"{live_server.url}/fhir/"}
    )
    smart.server.session.cookies.set(
        settings.SESSION_COOKIE_NAME, browser.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return smart


def test_a_client_library_searches_a_patients_phq9_and_fetches_everything(
    client_for, clinic, charted
):
    smart = client_for(clinic.prescriber)
    alice = Patient.read(str(clinic.alice.pk), smart.server)
    assert alice.name[0].family == clinic.alice.family_name
    assert alice.birthDate.isostring == clinic.alice.date_of_birth.isoformat()

    search = Observation.where(
        struct={"patient": str(clinic.alice.pk), "code": "http://loinc.org|44261-6"}
    )
    phq9 = list(search.perform_resources_iter(smart.server))
    assert [o.id for o in phq9] == [f"as-{charted.phq9.pk}"]
    assert phq9[0].valueInteger == 9
    assert phq9[0].code.coding[0].code == "44261-6"

    everything = Bundle(smart.server.request_json(f"Patient/{clinic.alice.pk}/$everything"))
    kinds = {entry.resource.resource_type for entry in everything.entry}
    assert {"Patient", "Encounter", "Observation", "MedicationAdministration"} <= kinds
    assert everything.total == len(everything.entry)


def test_a_client_pages_through_a_search_with_next_links(client_for, clinic, charted):
    smart = client_for(clinic.nurse)
    search = Observation.where(struct={"patient": str(clinic.alice.pk), "_count": "2"})
    pages = list(search.perform_iter(smart.server))
    resources = [e.resource.id for page in pages for e in (page.entry or [])]
    assert len(pages) > 2
    assert len(resources) == len(set(resources)) == pages[0].total


def test_a_client_runs_a_bulk_export_to_completion_and_parses_every_line(
    client_for, clinic, charted, settings, tmp_path
):
    """Kick-off, status polling and every NDJSON file, through the client's own HTTP session;
    every line is parsed into fhirclient's strict R4 model of its resource type."""
    settings.FHIR_EXPORT_DIR = tmp_path
    settings.FHIR_EXPORT_RUNNER = "command"  # the worker runs it, as `fhir_exports run --loop`
    smart = client_for(clinic.director)
    http, base = smart.server.session, smart.server.base_uri
    kick_off = http.get(
        f"{base}$export", headers={"Prefer": "respond-async", "Accept": "application/fhir+json"}
    )
    assert kick_off.status_code == 202, kick_off.text
    status_url = kick_off.headers["Content-Location"]
    assert http.get(status_url).status_code == 202  # still queued: X-Progress
    call_command("fhir_exports", "run")
    status = http.get(status_url)
    assert status.status_code == 200
    manifest = status.json()
    parsed: dict[str, int] = {}
    for item in manifest["output"]:
        download = http.get(item["url"])
        assert download.headers["Content-Type"].startswith("application/fhir+ndjson")
        lines = download.text.splitlines()
        assert len(lines) == item["count"]
        for line in lines:
            data = json.loads(line)
            resource = FHIRElementFactory.instantiate(data["resourceType"], data)
            assert resource.id == data["id"]
            parsed[item["type"]] = parsed.get(item["type"], 0) + 1
    assert parsed["Patient"] == 1  # the director works at site A: Alice, not Bob
    assert {"Observation", "MedicationAdministration", "Provenance", "Encounter"} <= set(parsed)
    assert sum(parsed.values()) == sum(item["count"] for item in manifest["output"])
