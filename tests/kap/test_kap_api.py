"""/api/v1/kap: the same table as the pages; notes only for those who read them; writing a
note is 201 for the program's therapist and 422 naming every field at fault."""

from __future__ import annotations

import json

import pytest
from tests.kap.conftest import KAP_PERSONAS
from tests.kap.factories import INTEGRATION_NOTE, session

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.kap.models import KapNote

SEE = {"nurse", "prescriber", "therapist", "director", "co_therapist"}
HAS_VIEW = SEE | {"other_therapist", "therapist_b", "nurse_b"}
WRITE = {"therapist", "co_therapist"}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_listing_programs_per_persona(as_persona, kap, persona):
    response = as_persona(persona).get("/api/v1/kap/programs")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    if persona not in HAS_VIEW:
        assert response.status_code == 403
        return
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == ([kap.pk] if persona in SEE else [])


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_program_detail_per_persona(as_persona, kap, persona):
    response = as_persona(persona).get(f"/api/v1/kap/programs/{kap.pk}")
    want = {"anonymous": 401}.get(persona, 200 if persona in SEE else 404)
    if persona not in HAS_VIEW and persona != "anonymous":
        want = 403
    assert response.status_code == want


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_writing_a_note_per_persona(as_persona, kap, persona):
    client = as_persona(persona)
    body = {"session_id": session(kap.course, 3).pk, **INTEGRATION_NOTE}
    response = post(client, f"/api/v1/kap/programs/{kap.pk}/notes", body)
    if persona == "anonymous":
        want = 401
    elif persona in WRITE:
        want = 201
    elif persona in ("other_therapist", "therapist_b"):
        want = 404
    else:
        want = 403
    assert response.status_code == want
    assert KapNote.objects.count() == (1 if want == 201 else 0)


def test_a_nurse_gets_the_schedule_without_what_notes_say(client, clinic, kap):
    client.force_login(clinic.therapist)
    created = post(
        client,
        f"/api/v1/kap/programs/{kap.pk}/notes",
        {"session_id": session(kap.course, 3).pk, **INTEGRATION_NOTE},
    ).json()
    assert created["parts"] == INTEGRATION_NOTE
    assert created["kind"] == "integration"
    client.force_login(clinic.nurse)
    detail = client.get(f"/api/v1/kap/programs/{kap.pk}").json()
    assert detail["goals"] is None
    third = next(s for s in detail["sessions"] if s["number"] == 3)
    assert (third["has_note"], third["note"]) == (True, None)
    client.force_login(clinic.director)
    detail = client.get(f"/api/v1/kap/programs/{kap.pk}").json()
    third = next(s for s in detail["sessions"] if s["number"] == 3)
    assert third["note"]["parts"]["practices"] == INTEGRATION_NOTE["practices"]
    assert detail["goals"].startswith("Feel less weighed down")
    assert detail["notes_due"] == 4
    event = AuditEvent.objects.filter(actor=clinic.director, object_type="kap_program").get()
    assert (event.action, event.detail["notes_read"]) == (Action.VIEW, 1)


def test_bad_notes_are_422_naming_every_field(client, clinic, kap):
    client.force_login(clinic.therapist)
    url = f"/api/v1/kap/programs/{kap.pk}/notes"
    response = post(
        client,
        url,
        {"session_id": session(kap.course, 9).pk, "plan": "x", "set_and_setting": "Dim room"},
    )
    assert response.status_code == 422
    fields = {(e["field"], e["message"]) for e in response.json()["errors"]}
    assert fields == {
        ("session_id", "has not happened yet (planned for 2026-03-12 11:00)"),
        ("set_and_setting", "is not part of a integration note"),
        ("integration_themes", "write the themes the patient is integrating"),
    }
    response = post(client, url, {"session_id": 999999, **INTEGRATION_NOTE})
    assert response.json()["errors"][0]["field"] == "session_id"
    response = post(client, url, {"session_id": session(kap.course, 1).pk, "mood": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mood"
    response = post(
        client, url, {"session_id": session(kap.course, 1).pk, "touch_consent": "maybe"}
    )
    assert response.json()["errors"][0]["field"] == "touch_consent"
    assert not KapNote.objects.exists()


def test_the_api_is_documented(client, clinic):
    client.force_login(clinic.director)
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/kap/programs" in paths
    assert "422" in paths["/api/v1/kap/programs/{program_id}/notes"]["post"]["responses"]
