"""``record_event``: the one way anything writes to the audit trail.

Where an event is written, and when:

- inside a transaction the calling code opened (a change to patient data): inserted at once,
  in that transaction, so the event and the change commit or roll back together;
- otherwise, during a request (reads, searches, refusals, failures): collected on the request
  and inserted once, in one statement, when the response is ready (``RequestBatch``, flushed
  by ``RequestContextMiddleware``), so a chart page that records three events writes once;
- outside a request (commands, jobs): inserted at once.

Every event is inserted *unchained* and without any lock; after the commit the chainer gives
it its position and keyed MAC (``chaining.py``). Nothing on the request path waits for the
chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from ketaclinic.apps.audit.choices import Outcome
from ketaclinic.apps.audit.hashchain import GENESIS_HASH, chain_hash
from ketaclinic.apps.audit.models import AuditEvent, ChainHead
from ketaclinic.apps.audit.writer import audit_writer
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.bulk_write import insert_returning_keys
from ketaclinic.apps.web.logging_filters import redact

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["AUDIT_CHAIN", "RequestBatch", "append_to_chain", "record_event"]

AUDIT_CHAIN = "audit"


def append_to_chain(chain: str, make_record, fields_of) -> Any:
    """Append one record to a head-locked SHA-256 ``chain`` (the ledger's per-site chains).

    ``make_record(position, prev_hash)`` builds the unsaved record; ``fields_of(record)`` returns
    what its hash covers. The caller's transaction (if any) contains the append, so a record
    and the data change it describes commit or roll back together.
    """
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(
            name=chain, defaults={"position": 0, "last_hash": GENESIS_HASH}
        )
        record = make_record(head.position + 1, head.last_hash)
        record.hash = chain_hash(record.prev_hash, fields_of(record))
        record.save()
        head.position = record.position
        head.last_hash = record.hash
        head.save(update_fields=["position", "last_hash"])
    return record


def _atomic_depth() -> int:
    return len(connection.atomic_blocks)


class RequestBatch:
    """The events a request collects outside any transaction of its own, written once."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.base_depth = _atomic_depth()
        self.closed = False

    def takes(self) -> bool:
        """Open, and not inside a transaction the view opened (those events go in at once)."""
        return not self.closed and _atomic_depth() <= self.base_depth

    def flush(self) -> int:
        """Insert the collected events in one statement; then no more are collected."""
        self.closed = True
        events, self.events = self.events, []
        if events:
            if audit_writer.takes_writes():
                audit_writer.write(events)  # with the other requests' batches (server only)
            else:
                insert_unchained(events)
        return len(events)


def insert_unchained(events: list[AuditEvent]) -> None:
    """One INSERT of unchained events; the chain pass is scheduled for after the commit."""
    from ketaclinic.apps.audit.chaining import chain_after_commit

    with transaction.atomic(savepoint=False):
        insert_returning_keys(AuditEvent, events)
        transaction.on_commit(chain_after_commit)


def record_event(
    request: HttpRequest | None,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    patient: Any = None,
    site: Any = None,
    outcome: str = Outcome.SUCCESS,
    detail: dict | None = None,
    actor: Any = None,
) -> AuditEvent:
    """Record one audit event: who (from the request unless ``actor``), what, where from.

    Returns the event, saved now or (during a request, outside a transaction of the caller's)
    saved with the request's batch when the response is ready.
    """
    user = actor if actor is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if site is None and patient is not None:
        site = patient.site_id
    event = AuditEvent(
        occurred_at=clock.now(),
        actor=user,
        actor_username=user.get_username() if user else "",
        site_id=getattr(site, "pk", site),
        patient=patient,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        outcome=outcome,
        request_id=getattr(request, "request_id", "") if request else "",
        client_address=getattr(request, "client_address", None) if request else None,
        path=redact(request.path)[:300] if request is not None else "",
        detail=detail or {},
    )
    batch: RequestBatch | None = getattr(request, "audit_batch", None)
    if batch is not None and batch.takes():
        batch.events.append(event)
    else:
        insert_unchained([event])
    return event
