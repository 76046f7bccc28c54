"""A request writes its audit events once, in its own transaction, and takes no chain lock."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import RequestBatch, record_event


def _audit_statements(queries) -> list[str]:
    return [q["sql"] for q in queries if "audit_auditevent" in q["sql"] or "chainhead" in q["sql"]]


def test_a_chart_page_writes_all_its_events_in_one_insert_and_takes_no_lock(client, clinic):
    client.force_login(clinic.prescriber)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    assert response.status_code == 200
    statements = _audit_statements(queries)
    inserts = [sql for sql in statements if sql.startswith("INSERT")]
    assert len(inserts) == 1
    assert not [sql for sql in statements if "FOR UPDATE" in sql or "chainhead" in sql]
    recorded = AuditEvent.objects.filter(patient=clinic.alice, actor=clinic.prescriber)
    assert recorded.filter(action=Action.VIEW, object_type="patient").exists()


def test_events_of_a_request_are_stored_unchained_until_the_chainer_runs(client, clinic):
    client.force_login(clinic.nurse)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    event = AuditEvent.objects.get(object_type="patient", action=Action.VIEW)
    assert (event.position, event.mac) == (None, None)


def test_the_chain_pass_runs_after_the_request_commits(
    client, clinic, django_capture_on_commit_callbacks
):
    client.force_login(clinic.nurse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    assert callbacks
    assert not AuditEvent.objects.filter(position__isnull=True).exists()
    assert AuditEvent.objects.get(object_type="patient").position >= 1


def test_a_refused_request_is_still_recorded(client, clinic):
    client.force_login(clinic.therapist)
    response = client.get(reverse("patients:create"))
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (denied.actor, denied.outcome) == (clinic.therapist, Outcome.DENIED)


def test_an_event_recorded_inside_the_callers_transaction_rolls_back_with_the_change(clinic, rf):
    request = rf.get("/patients/")
    request.user = clinic.nurse
    request.audit_batch = batch = RequestBatch()

    def change_that_fails() -> None:
        with transaction.atomic():
            record_event(request, Action.UPDATE, object_type="test", patient=clinic.alice)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    batch.flush()
    assert not AuditEvent.objects.filter(object_type="test").exists()


def test_an_event_recorded_inside_the_callers_transaction_commits_with_it(clinic, rf):
    request = rf.get("/patients/")
    request.user = clinic.nurse
    request.audit_batch = batch = RequestBatch()
    with transaction.atomic():
        record_event(request, Action.UPDATE, object_type="test", patient=clinic.alice)
        assert AuditEvent.objects.filter(object_type="test").count() == 1
    assert batch.events == []


def test_events_outside_a_transaction_wait_for_the_batch_and_go_in_together(clinic, rf):
    request = rf.get("/patients/")
    request.user = clinic.nurse
    request.audit_batch = batch = RequestBatch()
    for number in range(3):
        record_event(request, Action.VIEW, object_type="test", object_id=number)
    assert not AuditEvent.objects.filter(object_type="test").exists()
    with CaptureQueriesContext(connection) as queries:
        assert batch.flush() == 3
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 1
    stored = AuditEvent.objects.filter(object_type="test").values_list("object_id", flat=True)
    assert sorted(stored) == ["0", "1", "2"]


def test_an_event_after_the_flush_is_written_at_once(clinic, rf):
    request = rf.get("/patients/")
    request.audit_batch = batch = RequestBatch()
    batch.flush()
    record_event(request, Action.EXPORT, object_type="late")
    assert AuditEvent.objects.filter(object_type="late").exists()


def test_an_event_outside_a_request_is_written_at_once_unchained(clinic):
    record_event(None, Action.SEND, object_type="reminder", actor=clinic.nurse)
    event = AuditEvent.objects.get(object_type="reminder")
    assert (event.actor, event.position, event.mac) == (clinic.nurse, None, None)
