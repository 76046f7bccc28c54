"""Staff pages and the API: who may see and change what (every persona), filters, paging,
empty states, the staff opt-out (audited, kept), 422s naming the field, pinned queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from tests.personas import PERSONAS
from tests.reminders.factories import NOW, make_session

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.reminders.choices import ChangedVia, OptOutScope, ReminderStatus
from ketaclinic.apps.reminders.delivery import send_due_reminders
from ketaclinic.apps.reminders.models import ContactPreference, OptOut
from ketaclinic.apps.reminders.planning import plan_reminders

pytestmark = pytest.mark.usefixtures("fixed_clock")

H = dt.timedelta(hours=1)
WORK = {"front_desk", "nurse", "prescriber", "director"}


@pytest.fixture
def as_persona(client, clinic):
    def login(persona):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


def sessions(clinic, count: int, patient=None, first: int = 1) -> None:
    """Sessions an hour apart from NOW + 49 h, each planned 48 h before (two reminders each)."""
    for number in range(first, first + count):
        make_session(clinic, NOW + (48 + number) * H, patient=patient, number=number)
        plan_reminders(NOW + (number - 1) * H)


def page_status(persona, *, patient_page=False, anonymous=302):
    if persona == "anonymous":
        return anonymous
    if persona == "nurse_b":
        return 404 if patient_page else 200
    return 200 if persona in WORK else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_reminder_list_per_persona(as_persona, clinic, persona):
    sessions(clinic, 1)
    response = as_persona(persona).get(reverse("reminders:list"))
    assert response.status_code == page_status(persona)
    if response.status_code == 200:
        assert ("Rivera, Alice" in response.content.decode()) == (persona in WORK)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_patients_reminder_page_per_persona(as_persona, clinic, persona):
    url = reverse("reminders:patient", args=[clinic.alice.pk])
    assert as_persona(persona).get(url).status_code == page_status(persona, patient_page=True)


@pytest.mark.parametrize("persona", PERSONAS)
def test_changing_preferences_per_persona(as_persona, clinic, persona):
    url = reverse("reminders:patient", args=[clinic.alice.pk])
    response = as_persona(persona).post(url, {"preferred_channel": "sms", "stop_email": "on"})
    want = {200: 302}.get(page_status(persona, patient_page=True))
    assert response.status_code == (want or page_status(persona, patient_page=True))
    assert OptOut.objects.exists() == (persona in WORK)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_per_persona(as_persona, clinic, persona):
    sessions(clinic, 1)
    client = as_persona(persona)
    listed = client.get("/api/v1/reminders")
    prefs = client.get(f"/api/v1/reminders/patients/{clinic.alice.pk}/preferences")
    if persona == "anonymous":
        assert (listed.status_code, prefs.status_code) == (401, 401)
    elif persona == "nurse_b":
        assert (listed.status_code, prefs.status_code) == (200, 404)
        assert listed.json()["items"] == []
    elif persona in WORK:
        assert (listed.status_code, prefs.status_code) == (200, 200)
        assert len(listed.json()["items"]) == 2
    else:
        assert (listed.status_code, prefs.status_code) == (403, 403)


def test_the_nav_shows_reminders_to_those_who_work_them(as_persona, clinic):
    for persona in ("front_desk", "therapist"):
        client = as_persona(persona)
        text = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("reminders:list")}"' in text) == (persona in WORK)


def test_the_list_is_empty_then_filtered_and_paged(client, clinic, sender):
    client.force_login(clinic.front_desk)
    empty = client.get(reverse("reminders:list")).content.decode()
    assert "No reminders waiting to be sent" in empty
    sessions(clinic, 14)  # 28 reminders: 48 h and 2 h before each
    upcoming = client.get(reverse("reminders:list"))
    page = upcoming.context["page"]
    assert (len(page.items), page.has_next) == (25, True)
    assert [r.due_at for r in page.items] == sorted(r.due_at for r in page.items)
    second = client.get(reverse("reminders:list"), {"page": 2})
    assert len(second.context["page"].items) == 3
    send_due_reminders(NOW + 1 * H)  # due: the first 48-hour reminder
    recent = client.get(reverse("reminders:list"), {"when": "recent"}).context["page"].items
    assert [r.status for r in recent] == [ReminderStatus.SENT]
    sent = client.get(reverse("reminders:list"), {"when": "all", "status": "sent"})
    assert len(sent.context["page"].items) == 1
    none = client.get(reverse("reminders:list"), {"when": "all", "kind": "questionnaire"})
    assert "No reminders match these filters" in none.content.decode()
    fragment = client.get(reverse("reminders:list"), HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert AuditEvent.objects.filter(object_type="reminder", action="view").count() == 7


def test_the_list_is_pinned_in_queries(client, clinic, django_assert_num_queries):
    client.force_login(clinic.nurse)
    sessions(clinic, 2)
    client.get(reverse("reminders:list"))
    with django_assert_num_queries(6) as captured:
        client.get(reverse("reminders:list"))
    sessions(clinic, 6, first=3)
    with django_assert_num_queries(6):
        response = client.get(reverse("reminders:list"))
    assert len(response.context["page"].items) == 16
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_staff_stop_and_restart_a_kind_and_the_record_keeps_both(client, clinic):
    url = reverse("reminders:patient", args=[clinic.alice.pk])
    client.force_login(clinic.front_desk)
    client.post(url, {"preferred_channel": "email", "stop_appointment": "on"})
    client.force_login(clinic.nurse)
    client.post(url, {"preferred_channel": "email"})
    opt_out = OptOut.objects.get()
    assert (opt_out.scope, opt_out.created_via, opt_out.created_by) == (
        OptOutScope.APPOINTMENT,
        ChangedVia.STAFF,
        clinic.front_desk,
    )
    assert (opt_out.withdrawn_via, opt_out.withdrawn_by) == (ChangedVia.STAFF, clinic.nurse)
    assert opt_out.withdrawn_at == NOW
    details = [
        e.detail for e in AuditEvent.objects.filter(object_type="contact_preference").order_by("id")
    ]
    assert {"opted_out": "appointment", "via": "staff"} in details
    assert {"opted_in": "appointment", "via": "staff"} in details
    text = client.get(url).content.decode()
    assert "Fiona" in text
    assert "Nadia" in text


def test_own_quiet_hours_need_both_times(client, clinic):
    client.force_login(clinic.nurse)
    url = reverse("reminders:patient", args=[clinic.alice.pk])
    response = client.post(url, {"preferred_channel": "email", "quiet_start": "22:00"})
    assert response.status_code == 422
    assert response.context["form"].errors["quiet_end"]
    client.post(url, {"preferred_channel": "sms", "quiet_start": "22:00", "quiet_end": "07:30"})
    preference = ContactPreference.objects.get()
    assert (preference.quiet_start, preference.quiet_end) == (dt.time(22), dt.time(7, 30))
    assert (preference.preferred_channel, preference.updated_by) == ("sms", clinic.nurse)
    assert "22:00-07:30" in client.get(url).content.decode()


def test_the_therapist_and_nurse_b_change_nothing(client, clinic):
    url = reverse("reminders:patient", args=[clinic.alice.pk])
    client.force_login(clinic.therapist)
    assert client.post(url, {"preferred_channel": "sms"}).status_code == 403
    client.force_login(clinic.nurse_b)
    assert client.post(url, {"preferred_channel": "sms"}).status_code == 404
    assert not ContactPreference.objects.exists()


def api_patch(client, patient, body: dict):
    return client.patch(
        f"/api/v1/reminders/patients/{patient.pk}/preferences",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_the_api_changes_preferences_and_names_the_bad_field(client, clinic):
    client.force_login(clinic.prescriber)
    ok = api_patch(client, clinic.alice, {"stop_questionnaire": True, "preferred_channel": "sms"})
    assert ok.status_code == 200
    body = ok.json()
    assert (body["stop_questionnaire"], body["preferred_channel"]) == (True, "sms")
    assert body["quiet_hours_in_force"] == "21:00-08:00"
    assert body["opt_outs"][0]["created_via"] == "api"
    assert body["opt_outs"][0]["created_by"] == "paul"
    half = api_patch(client, clinic.alice, {"quiet_start": "22:00"})
    assert half.status_code == 422
    assert half.json()["errors"][0]["field"] == "quiet_end"
    bad = api_patch(client, clinic.alice, {"preferred_channel": "pigeon"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "preferred_channel"
    unknown = api_patch(client, clinic.alice, {"stop_everything": True})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "stop_everything"
    null = api_patch(client, clinic.alice, {"stop_sms": None})
    assert null.json()["errors"][0]["field"] == "stop_sms"
    both = api_patch(client, clinic.alice, {"quiet_start": "22:00", "quiet_end": "06:00"})
    assert both.json()["quiet_hours_in_force"] == "22:00-06:00"


def test_the_api_list_filters_and_refuses_unknown_values(client, clinic):
    client.force_login(clinic.director)
    sessions(clinic, 2)
    pending = client.get("/api/v1/reminders", {"status": "pending"}).json()["items"]
    assert [r["due_at"] for r in pending] == sorted(r["due_at"] for r in pending)
    assert len(pending) == 4
    bad = client.get("/api/v1/reminders", {"status": "lost"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"
    other = client.get("/api/v1/reminders", {"patient_id": clinic.bob.pk})
    assert other.status_code == 404
