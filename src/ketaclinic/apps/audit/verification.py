"""``ketaclinic audit verify``: recompute the keyed chain, check checkpoints, find stragglers.

Full: from position 1. Incremental (``since``): from a checkpoint made when the chain was last
verified (``ketaclinic audit checkpoint`` verifies before it writes one), after checking its
head is still in the chain. Either way every given checkpoint must still be in the chain with
its MAC (truncation and rewrites fail), and no event may stay unchained for longer than the
grace period (a chainer that stopped, or a row slipped in outside the application).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.conf import settings

from ketaclinic.apps.audit.chaining import audit_keys
from ketaclinic.apps.audit.hashchain import ChainReport
from ketaclinic.apps.audit.keyedchain import (
    GENESIS_MAC,
    Checkpoint,
    KeyedLink,
    verify_keyed_links,
)
from ketaclinic.apps.audit.models import CHAINED_COLUMNS, AuditEvent, chained_fields_of
from ketaclinic.apps.audit.recorder import AUDIT_CHAIN
from ketaclinic.apps.web import clock

__all__ = ["verify_audit_chain"]


def _links(after_position: int) -> Iterator[KeyedLink]:
    rows = (
        AuditEvent.objects.filter(position__gt=after_position)
        .order_by("position")
        .values_list("mac", "key_id", *CHAINED_COLUMNS)
    )
    for row in rows.iterator(chunk_size=5000):
        values = dict(zip(CHAINED_COLUMNS, row[2:], strict=True))
        yield KeyedLink(values["position"], row[0], chained_fields_of(values), key_id=row[1])


def _stored_mac(position: int) -> str | None:
    return AuditEvent.objects.filter(position=position).values_list("mac", flat=True).first()


def verify_audit_chain(
    checkpoints: Sequence[Checkpoint] = (),
    since: Checkpoint | None = None,
    grace_seconds: int | None = None,
) -> ChainReport:
    keys = audit_keys()
    report = ChainReport(chain=AUDIT_CHAIN)
    start_position, start_mac = 0, GENESIS_MAC
    for checkpoint in (since, *checkpoints):
        if checkpoint is None or checkpoint.position == 0:
            continue
        if (
            since is not None
            and checkpoint.position <= since.position
            and _stored_mac(checkpoint.position) != checkpoint.mac
        ):
            return report.fail(
                checkpoint.position,
                f"{checkpoint.source}: position {checkpoint.position} is missing or has "
                "another MAC (events were removed or the chain was rewritten)",
            )
    if since is not None:
        start_position, start_mac = since.position, since.mac
    report, _head, _mac = verify_keyed_links(
        AUDIT_CHAIN,
        keys,
        _links(start_position),
        start_position=start_position,
        start_mac=start_mac,
        checkpoints=checkpoints,
    )
    if report.ok:
        _check_unchained(report, grace_seconds)
    if since is not None:
        report.notes.append(f"verified from {since.source} (position {since.position})")
    return report


def _check_unchained(report: ChainReport, grace_seconds: int | None) -> None:
    grace = grace_seconds
    if grace is None:
        grace = settings.KETACLINIC_AUDIT_CHAIN_GRACE_SECONDS
    cutoff = clock.now() - dt.timedelta(seconds=grace)
    stale = AuditEvent.objects.filter(position__isnull=True, occurred_at__lt=cutoff)
    count = stale.count()
    if count:
        oldest = stale.order_by("id").values_list("id", flat=True).first()
        report.fail(
            report.checked + 1,
            f"{count} event(s) unchained for more than {grace} s (oldest id {oldest}): "
            "the chainer is not running (`ketaclinic audit chain`) or rows were inserted "
            "outside the application",
        )
