"""The audit trail: each action writes its event; the ORM and the database refuse changes."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from tests.audit.guard import audit_guard_enforced
from tests.personas import PASSWORD

from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.models import AppendOnlyError, AuditEvent
from ketaclinic.apps.audit.recorder import record_event


def latest() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def test_viewing_a_chart_writes_a_view_event_with_who_where_and_from(client, clinic):
    client.force_login(clinic.nurse)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]), REMOTE_ADDR="10.1.2.3")
    event = latest()
    assert (event.action, event.actor, event.patient, event.site) == (
        Action.VIEW,
        clinic.nurse,
        clinic.alice,
        clinic.site_a,
    )
    assert event.client_address == "10.1.2.3"
    assert len(event.request_id) == 32
    assert event.path == f"/patients/{clinic.alice.pk}/"


def test_searching_writes_a_search_event_without_the_terms(client, clinic):
    client.force_login(clinic.front_desk)
    client.get(reverse("patients:list"), {"q": "Rivera"})
    event = latest()
    assert event.action == Action.SEARCH
    assert event.detail["query_length"] == len("Rivera")
    assert "Rivera" not in str(event.detail)


def test_listing_without_terms_is_a_view_not_a_search(client, clinic):
    client.force_login(clinic.front_desk)
    before = AuditEvent.objects.count()
    client.get(reverse("patients:list"))
    assert AuditEvent.objects.count() == before + 1
    assert latest().action == Action.VIEW


def test_creating_and_editing_a_patient_write_events_naming_changed_fields(
    client, clinic, fixed_clock
):
    client.force_login(clinic.front_desk)
    client.post(
        reverse("patients:create"),
        {
            "site": clinic.site_a.pk,
            "given_name": "Carla",
            "family_name": "Moreau",
            "date_of_birth": "1990-02-03",
            "sex_at_birth": "female",
        },
    )
    created = latest()
    assert created.action == Action.CREATE
    assert created.patient.given_name == "Carla"
    client.post(
        reverse("patients:edit", args=[created.patient.pk]),
        {
            "given_name": "Carla",
            "family_name": "Moreau-Diaz",
            "date_of_birth": "1990-02-03",
            "sex_at_birth": "female",
            "mrn": created.patient.mrn,
        },
    )
    updated = latest()
    assert updated.action == Action.UPDATE
    assert updated.detail == {"fields": ["family_name"]}


def test_recording_a_weight_writes_a_create_event(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    client.post(
        reverse("patients:measurement-add", args=[clinic.alice.pk]),
        {"measured_on": "2026-03-01", "weight_kg": "68.4"},
    )
    assert (latest().action, latest().object_type) == (Action.CREATE, "measurement")


def test_login_logout_and_failed_login_are_audited(client, clinic):
    client.post(reverse("accounts:login"), {"username": "nadia", "password": "wrong"})
    failed = latest()
    assert (failed.action, failed.outcome, failed.detail) == (
        Action.LOGIN,
        Outcome.DENIED,
        {"username": "nadia"},
    )
    client.post(reverse("accounts:login"), {"username": "nadia", "password": PASSWORD})
    assert (latest().action, latest().actor) == (Action.LOGIN, clinic.nurse)
    client.post(reverse("accounts:logout"))
    assert latest().action == Action.LOGOUT


def test_forbidden_page_is_audited_as_denied(client, clinic):
    client.force_login(clinic.therapist)
    client.get(reverse("patients:create"))
    assert (latest().action, latest().outcome) == (Action.ACCESS_DENIED, Outcome.DENIED)


def test_csv_export_is_itself_audited_and_contains_the_events(client, clinic):
    client.force_login(clinic.director)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    response = client.get(reverse("audit:export"), {"mrn": "k000001"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("position,occurred_at,actor_username,action")
    assert lines[0].endswith(",mac")
    assert any(",dora,view," in line and "K000001" in line for line in lines[1:])
    assert latest().action == Action.EXPORT
    assert latest().detail == {"mrn": "K000001"}


def test_audit_page_filters_by_user_and_action(client, clinic):
    client.force_login(clinic.nurse)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    client.force_login(clinic.director)
    response = client.get(reverse("audit:list"), {"user": "nadia", "action": "view"})
    events = response.context["page"].items
    assert events
    assert {(e.actor_username, e.action) for e in events} == {("nadia", "view")}


def test_audit_page_hides_events_of_sites_the_director_does_not_work_at(client, clinic):
    client.force_login(clinic.nurse_b)
    client.get(reverse("patients:detail", args=[clinic.bob.pk]))
    client.force_login(clinic.director)
    response = client.get(reverse("audit:list"), {"user": "bea"})
    assert response.context["page"].items == []


def test_audit_filter_rejects_an_end_before_the_start(client, clinic):
    client.force_login(clinic.director)
    response = client.get(
        reverse("audit:list"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert "The end date is before the start date." in response.content.decode()


def test_the_orm_refuses_to_change_or_delete_an_event(clinic):
    event = record_event(None, Action.VIEW, object_type="test")
    event.action = Action.DELETE
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_raw_update_and_delete():
    record_event(None, Action.VIEW, object_type="test")
    statements = ["UPDATE audit_auditevent SET action = 'delete'", "DELETE FROM audit_auditevent"]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE audit_auditevent CASCADE")
    with audit_guard_enforced():
        for statement in statements:
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditEvent.objects.count() == 1


def test_reading_the_audit_page_is_itself_audited_with_the_events_shown(client, clinic):
    client.force_login(clinic.nurse)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    client.force_login(clinic.director)
    response = client.get(reverse("audit:list"), {"user": "nadia"})
    shown = [event.pk for event in response.context["page"].items]
    event = AuditEvent.objects.get(object_type="audit_event", action=Action.VIEW)
    assert event.actor == clinic.director
    assert event.detail["patients"] == [clinic.alice.pk]
    assert event.detail["filters"] == {"used": ["user"], "events": shown}
    assert shown
