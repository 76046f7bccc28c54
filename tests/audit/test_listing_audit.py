"""Every page of a list that shows patients leaves one audit event naming the patients shown.

An empty page leaves its event too, with an empty list: the read (or the search) happened.
A search is a search event that keeps the length of what was typed, never the text.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import record_event


def new_events(client, url: str, params: dict | None = None) -> list[AuditEvent]:
    """GET ``url`` as the logged-in persona; the events that request wrote, oldest first."""
    # By id, not chain position: a request's events are chained after its commit, off the
    # request path, and a test's transaction never commits.
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return list(AuditEvent.objects.filter(id__gt=last or 0).order_by("id"))


def test_the_listing_event_names_each_patient_once_and_drops_rows_without_one(rf, clinic):
    request = rf.get("/somewhere/")
    request.user = clinic.nurse
    event = record_listing(request, "thing", [3, None, 1, 3], page=2, filters={"state": "x"})
    assert event.action == Action.VIEW
    assert event.detail == {"patients": [3, 1], "page": 2, "filters": {"state": "x"}}


@pytest.mark.parametrize("url", ["patients:list", "/api/v1/patients"])
def test_a_page_of_patients_is_one_event_naming_them(client, clinic, url):
    client.force_login(clinic.front_desk)
    events = new_events(client, reverse(url) if ":" in url else url)
    assert [(e.action, e.object_type, e.detail["patients"]) for e in events] == [
        (Action.VIEW, "patient", [clinic.alice.pk])
    ]
    assert events[0].detail["page"] == 1


@pytest.mark.parametrize("url", ["patients:list", "/api/v1/patients"])
def test_a_search_is_one_event_keeping_the_length_not_the_name(client, clinic, url):
    client.force_login(clinic.front_desk)
    events = new_events(client, reverse(url) if ":" in url else url, {"q": "Rivera"})
    assert len(events) == 1
    assert events[0].action == Action.SEARCH
    assert events[0].detail["patients"] == [clinic.alice.pk]
    assert events[0].detail["query_length"] == len("Rivera")
    assert "Rivera" not in str(events[0].detail)


@pytest.mark.parametrize("url", ["patients:list", "/api/v1/patients"])
def test_a_search_that_finds_nobody_is_still_one_event_with_an_empty_list(client, clinic, url):
    client.force_login(clinic.front_desk)
    events = new_events(client, reverse(url) if ":" in url else url, {"q": "Nobody"})
    assert [(e.action, e.detail["patients"]) for e in events] == [(Action.SEARCH, [])]


def test_opening_the_edit_form_is_a_view_of_that_patient(client, clinic):
    client.force_login(clinic.front_desk)
    events = new_events(client, reverse("patients:edit", args=[clinic.alice.pk]))
    assert [(e.action, e.patient) for e in events] == [(Action.VIEW, clinic.alice)]


@pytest.mark.parametrize("url", ["alerts:list", "/api/v1/alerts"])
def test_a_page_of_alerts_is_one_event_naming_their_patients(client, clinic, fixed_clock, url):
    raise_alert(
        site=clinic.site_a,
        kind=AlertKind.choices[0][0],
        level=AlertLevel.choices[0][0],
        title="Blood pressure high",
        patient=clinic.alice,
    )
    client.force_login(clinic.prescriber)
    events = new_events(client, reverse(url) if ":" in url else url)
    assert [(e.object_type, e.detail["patients"]) for e in events] == [("alert", [clinic.alice.pk])]


def test_reading_the_audit_trail_is_itself_an_event_naming_the_patients_shown(client, clinic):
    record_event(None, Action.VIEW, object_type="patient", patient=clinic.alice)
    client.force_login(clinic.director)
    events = new_events(client, reverse("audit:list"), {"mrn": clinic.alice.mrn})
    assert len(events) == 1
    assert events[0].object_type == "audit_event"
    assert events[0].detail["patients"] == [clinic.alice.pk]
    assert events[0].action == Action.SEARCH
    assert clinic.alice.mrn not in str(events[0].detail)


@pytest.mark.parametrize(
    ("persona", "url", "object_type"),
    [
        ("nurse", "/sessions/", "session_list"),
        ("front_desk", "/schedule/", "schedule"),
        ("prescriber", "/homeprogram/", "home_prescription"),
        ("front_desk", "/reminders/", "reminder"),
        ("front_desk", "/api/v1/reminders", "reminder"),
        ("therapist", "/kap/", "kap_program"),
        ("therapist", "/api/v1/kap/programs", "kap_program"),
        ("prescriber", "/api/v1/courses", "course"),
        ("nurse", "/ledger/", "ledger_dashboard"),
        ("nurse", "/api/v1/ledger/entries", "ledger_entries"),
    ],
)
def test_an_empty_list_is_one_event_with_an_empty_list_of_patients(
    client, clinic, fixed_clock, persona, url, object_type
):
    client.force_login(clinic.persona(persona))
    events = new_events(client, url)
    assert [(e.object_type, e.detail["patients"]) for e in events] == [(object_type, [])]


def test_the_day_schedule_api_is_one_event(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    events = new_events(client, "/api/v1/schedule", {"site": clinic.site_a.pk})
    assert [(e.object_type, e.detail["patients"]) for e in events] == [("schedule", [])]


def test_the_home_page_is_one_event_naming_the_recent_patients(client, clinic, fixed_clock):
    client.force_login(clinic.front_desk)
    events = new_events(client, reverse("home"))
    assert [(e.object_type, e.detail["patients"]) for e in events] == [("home", [clinic.alice.pk])]
