"""``record_event``: the one way anything writes to the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from ketaclinic.apps.audit.choices import Outcome
from ketaclinic.apps.audit.hashchain import GENESIS_HASH, chain_hash
from ketaclinic.apps.audit.models import AuditEvent, ChainHead
from ketaclinic.config.logging_filters import redact

if TYPE_CHECKING:
    from django.http import HttpRequest

AUDIT_CHAIN = "audit"


def append_to_chain(chain: str, make_record, fields_of) -> Any:
    """Append one record to ``chain`` under the chain head's row lock.

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
    """Write one audit event: who (from the request unless ``actor``), what, where from."""
    user = actor if actor is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if site is None and patient is not None:
        site = patient.site_id
    site_id = getattr(site, "pk", site)

    def make(position: int, prev_hash: str) -> AuditEvent:
        return AuditEvent(
            position=position,
            prev_hash=prev_hash,
            occurred_at=timezone.now(),
            actor=user,
            actor_username=user.get_username() if user else "",
            site_id=site_id,
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

    return append_to_chain(AUDIT_CHAIN, make, AuditEvent.chained_fields)
