"""``ketaclinic audit verify``: recompute the whole audit chain from the database."""

from __future__ import annotations

from collections.abc import Iterator

from ketaclinic.apps.audit.hashchain import GENESIS_HASH, ChainLink, ChainReport, verify_links
from ketaclinic.apps.audit.models import AuditEvent, ChainHead
from ketaclinic.apps.audit.recorder import AUDIT_CHAIN


def _links() -> Iterator[ChainLink]:
    for event in AuditEvent.objects.order_by("position").iterator(chunk_size=2000):
        yield ChainLink(event.position, event.prev_hash, event.hash, event.chained_fields())


def verify_audit_chain() -> ChainReport:
    head = ChainHead.objects.filter(name=AUDIT_CHAIN).first()
    head_position = head.position if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    return verify_links(AUDIT_CHAIN, _links(), head_position, head_hash)
