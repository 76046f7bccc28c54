"""``ketaclinic audit verify``: recompute the keyed chain, check checkpoints, find stragglers.

Full: from position 1. Incremental (``since``): from a checkpoint made when the chain was last
verified (``ketaclinic audit checkpoint`` verifies before it writes one, and every clean
``audit verify`` records one in the database, ``VerifiedAuditCheckpoint``), after checking its
head is still in the chain. Either way every given checkpoint must still be in the chain with
its MAC (truncation and rewrites fail), and no event may stay unchained for longer than the
grace period (a chainer that stopped, or a row slipped in outside the application).

The incremental run reads only the events past the checkpoint (the unique index on
``position``), so the nightly check costs the same at any trail size. It does not re-check
the events before the checkpoint: an event altered there after the checkpoint was made is
found only by the full run (the checkpointed event itself is checked, by its MAC). Run the
full verify regularly too (weekly, say) and after any suspicion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.conf import settings

from ketaclinic.apps.audit.chaining import audit_key, audit_keys
from ketaclinic.apps.audit.hashchain import ChainReport, canonical_bytes
from ketaclinic.apps.audit.keyedchain import (
    GENESIS_MAC,
    Checkpoint,
    CheckpointError,
    KeyedLink,
    key_id,
    parse_checkpoint,
    sign_checkpoint,
    verify_keyed_links,
)
from ketaclinic.apps.audit.models import (
    CHAINED_COLUMNS,
    AuditEvent,
    VerifiedAuditCheckpoint,
    chained_fields_of,
)
from ketaclinic.apps.audit.recorder import AUDIT_CHAIN
from ketaclinic.apps.web import clock

__all__ = [
    "newest_verified_checkpoint",
    "verify_audit_chain",
    "verify_audit_chain_since_checkpoint",
]


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
    record: bool = False,
) -> ChainReport:
    """Verify the chain (from ``since``, or in full); with ``record``, a clean run stores a
    signed ``VerifiedAuditCheckpoint`` at the head it reached, for the next incremental run."""
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
    if since is not None and since.position > 0:
        # Start one event early: the checkpointed event's own MAC is recomputed from the one
        # before it, so its content is checked too, not only that its MAC is still there.
        start_position = since.position - 1
        before = _stored_mac(start_position) if start_position else GENESIS_MAC
        if before is None:
            return report.fail(
                start_position,
                f"event {start_position}, just before {since.source}, is missing",
            )
        start_mac = before
        checkpoints = (*checkpoints, since)
    report, head, mac = verify_keyed_links(
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
    if record and report.ok and head > 0:
        stored = _record_verified_checkpoint(head, mac, full=since is None)
        report.notes.append(f"recorded verified checkpoint #{stored.pk} at position {head}")
    return report


def _record_verified_checkpoint(position: int, mac: str, full: bool) -> VerifiedAuditCheckpoint:
    key = audit_key()
    now = clock.now()
    checkpoint = Checkpoint(
        chain=AUDIT_CHAIN,
        position=position,
        mac=mac,
        count=position,
        created_at=now.isoformat(),
        key_id=key_id(key),
    )
    return VerifiedAuditCheckpoint.objects.create(
        position=position,
        signed=canonical_bytes(sign_checkpoint(key, checkpoint)).decode(),
        verified_at=now,
        full=full,
    )


def newest_verified_checkpoint() -> Checkpoint | None:
    """The stored checkpoint with the highest position, its signature checked; None if no
    clean run was recorded. Raises ``CheckpointError`` for a row that was edited (bad
    signature, or a ``position`` column that disagrees with the signed one)."""
    row = VerifiedAuditCheckpoint.objects.order_by("-position", "-id").first()
    if row is None:
        return None
    source = f"verified checkpoint #{row.pk}"
    checkpoint = parse_checkpoint(audit_keys(), row.signed, source=source)
    if checkpoint.position != row.position or checkpoint.chain != AUDIT_CHAIN:
        raise CheckpointError(f"{source}: its position column disagrees with what was signed")
    return checkpoint


def verify_audit_chain_since_checkpoint(
    checkpoints: Sequence[Checkpoint] = (), grace_seconds: int | None = None
) -> ChainReport:
    """The nightly check: the events after the newest verified checkpoint (the whole chain if
    none was recorded yet), then a new verified checkpoint at the head.

    A stored checkpoint that was tampered with fails the run (it is named): a forger who can
    write the database must not be able to move the starting point past their edits.
    """
    try:
        since = newest_verified_checkpoint()
    except CheckpointError as error:
        return ChainReport(chain=AUDIT_CHAIN).fail(0, f"{error}; run the full `audit verify`")
    report = verify_audit_chain(checkpoints, since=since, grace_seconds=grace_seconds, record=True)
    if since is None:
        report.notes.insert(0, "no verified checkpoint recorded yet: verified in full")
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
