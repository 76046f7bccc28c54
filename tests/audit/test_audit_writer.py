"""The server's audit writer: requests hand over their batches, one thread commits them together.

These tests commit for real (``transaction=True``): the writer thread has its own database
connection and can only see what is committed, as in the server.
"""

from __future__ import annotations

import threading

import pytest
from django.db import transaction
from django.urls import reverse

from ketaclinic.apps.audit import writer as writer_module
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.audit.writer import AuditWriteError, AuditWriter, audit_writer
from ketaclinic.apps.web import clock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server_writer():
    """The process's writer switched on, as ``config/wsgi.py`` does in the server."""
    audit_writer.enable()
    try:
        yield audit_writer
    finally:
        audit_writer.stop()
        audit_writer.enabled = False


def _event(number: int, **extra) -> AuditEvent:
    return AuditEvent(
        occurred_at=clock.now(),
        action=Action.VIEW,
        object_type="test",
        object_id=str(number),
        **extra,
    )


def test_a_request_returns_only_after_its_events_are_committed_and_they_are_chained_soon(
    client, clinic, server_writer
):
    client.force_login(clinic.nurse)
    response = client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    assert response.status_code == 200
    # Committed before the response left: visible to this (another) connection at once.
    seen = AuditEvent.objects.filter(patient=clinic.alice, actor=clinic.nurse)
    assert seen.filter(action=Action.VIEW, object_type="patient").exists()
    assert server_writer.wait_until_idle()
    assert not AuditEvent.objects.filter(position__isnull=True).exists()
    assert sorted(AuditEvent.objects.values_list("position", flat=True)) == list(
        range(1, AuditEvent.objects.count() + 1)
    )


def test_batches_waiting_together_are_committed_in_one_transaction():
    writer = AuditWriter()
    writer.enable()
    commits = []
    original = writer._insert_together

    def counting(batches):
        commits.append(len(batches))
        return original(batches)

    writer._insert_together = counting
    # Three batches queued before the thread starts are taken in one go (group commit).
    waiting = [writer_module._Batch([_event(n)]) for n in range(3)]
    for batch in waiting:
        writer._queue.put(batch)
    writer._ensure_thread()
    try:
        for batch in waiting:
            assert batch.done.wait(10)
            assert batch.error is None
    finally:
        writer.stop()
    assert commits == [3]
    assert AuditEvent.objects.filter(object_type="test").count() == 3
    assert not AuditEvent.objects.filter(position__isnull=True).exists()


def test_a_batch_that_cannot_be_written_fails_only_its_own_request():
    writer = AuditWriter()
    writer.enable()
    good = writer_module._Batch([_event(1)])
    bad = writer_module._Batch([_event(2, patient_id=987_654_321)])  # no such patient
    writer._queue.put(good)
    writer._queue.put(bad)
    writer._ensure_thread()
    try:
        assert good.done.wait(10)
        assert bad.done.wait(10)
    finally:
        writer.stop()
    assert good.error is None
    assert bad.error is not None
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["1"]


def test_write_raises_when_its_events_could_not_be_committed():
    writer = AuditWriter()
    writer.enable()
    try:
        with pytest.raises(AuditWriteError):
            writer.write([_event(1, patient_id=987_654_321)])
    finally:
        writer.stop()
    assert not AuditEvent.objects.exists()


def test_concurrent_requests_all_get_their_events_written(server_writer):
    def hand_over(number: int) -> None:
        server_writer.write([_event(number), _event(number + 1000)])

    threads = [threading.Thread(target=hand_over, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server_writer.wait_until_idle()
    assert AuditEvent.objects.count() == 16
    assert sorted(AuditEvent.objects.values_list("position", flat=True)) == list(range(1, 17))


def test_inside_the_callers_transaction_events_are_written_there_and_roll_back_with_it(
    server_writer,
):
    with transaction.atomic():
        assert not server_writer.takes_writes()
        record_event(None, Action.VIEW, object_type="test")
        transaction.set_rollback(True)
    assert not AuditEvent.objects.exists()


def test_a_change_committed_in_the_server_is_chained_by_the_writer(server_writer):
    with transaction.atomic():
        record_event(None, Action.CREATE, object_type="test")
    # ``chain_after_commit`` asked the writer for a pass instead of running it here.
    assert server_writer.wait_until_idle()
    assert AuditEvent.objects.get().position == 1


def test_a_forked_child_starts_its_own_writer(server_writer):
    server_writer.write([_event(1)])
    parents = server_writer._thread
    assert parents is not None
    assert parents.is_alive()
    server_writer.stop()  # (a real child never sees the parent's thread; here it must end)
    server_writer._forget_after_fork()  # what os.register_at_fork runs in the child
    assert server_writer._thread is None
    server_writer.write([_event(2)])  # the "child" starts a thread of its own
    assert server_writer._thread is not parents
    assert server_writer.wait_until_idle()
    assert sorted(AuditEvent.objects.values_list("position", flat=True)) == [1, 2]
