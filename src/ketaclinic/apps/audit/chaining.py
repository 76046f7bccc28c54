"""The chainer: gives unchained audit events their position and keyed MAC, in commit order.

Events are inserted unchained (``recorder``). A chain pass runs after every commit that
inserted some (``chain_after_commit``) and from cron (``ketaclinic audit chain``). One pass
at a time: on PostgreSQL a transaction-level advisory lock (a second chainer finds it taken
and leaves — the holder re-checks for unchained events after it lets go, so the leaver's
events are not stranded); on SQLite the database's write lock (``BEGIN IMMEDIATE``). Inside the
lock the pass reads the head (the last chained event), takes unchained events in id order and
sets their position and MAC — the only change the database allows the application to make to
an audit row. If a process dies between insert and chain, its events stay unchained until
the next pass, and ``ketaclinic audit verify`` reports them if they wait too long.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from ketaclinic.apps.audit.keyedchain import GENESIS_MAC, KeyRing, event_mac, key_id
from ketaclinic.apps.audit.models import CHAINED_COLUMNS, AuditEvent, chained_fields_of
from ketaclinic.apps.web.prepared_query import CONSTANT, PreparedQuery

__all__ = [
    "ChainPass",
    "audit_key",
    "audit_keys",
    "chain_after_commit",
    "chain_pass_deferring_failure",
    "chain_pending",
]

logger = logging.getLogger(__name__)

ADVISORY_LOCK = 0x6B65_7461_6175_6474  # "ketaaudt": the audit chainer's PostgreSQL lock
EVENTS_PER_TRANSACTION = 2000
AFTER_COMMIT_LIMIT = 10_000


def audit_key() -> bytes:
    """The chain's HMAC key: ``KETACLINIC_AUDIT_KEY``, or derived from SECRET_KEY in
    development (``check --deploy`` refuses that)."""
    return settings.KETACLINIC_AUDIT_KEY


def audit_keys() -> KeyRing:
    """The current key and the retired ones (``KETACLINIC_AUDIT_RETIRED_KEYS``), to verify."""
    return KeyRing(settings.KETACLINIC_AUDIT_KEY, tuple(settings.KETACLINIC_AUDIT_RETIRED_KEYS))


@dataclass(frozen=True)
class ChainPass:
    chained: int
    busy: bool = False


# The chain pass runs after every commit that wrote events: its queries are compiled once.
_ANY_UNCHAINED = PreparedQuery(
    lambda: AuditEvent.objects.filter(position__isnull=True).order_by().values_list("id")[:1],
    sentinel=CONSTANT,
)
_LAST_CHAINED = PreparedQuery(
    lambda: (
        AuditEvent.objects.filter(position__isnull=False, mac__isnull=False)
        .order_by("-position")
        .values_list("position", "mac")[:1]
    ),
    sentinel=CONSTANT,
)
_NEXT_UNCHAINED = PreparedQuery(
    lambda: (
        AuditEvent.objects.filter(position__isnull=True)
        .order_by("id")
        .values_list("id", *CHAINED_COLUMNS[1:])[:EVENTS_PER_TRANSACTION]
    ),
    sentinel=CONSTANT,
)


def _has_unchained() -> bool:
    return bool(_ANY_UNCHAINED.rows(using=connection.alias))


def chain_head() -> tuple[int, str]:
    """The last chained event's position and MAC; ``(0, GENESIS_MAC)`` for an empty chain."""
    head = _LAST_CHAINED.rows(using=connection.alias)
    if not head:
        return 0, GENESIS_MAC
    position, mac = head[0]
    return int(position), str(mac)


def _chain_batch(key: bytes, limit: int, durable: bool) -> int | None:
    """Chain up to ``limit`` events in one transaction; None if another chainer is at work."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            if not cursor.fetchone()[0]:
                return None
            if not durable:
                # The chain is recomputable from the rows: losing this commit in a crash only
                # leaves its events unchained for the next pass, so requests do not wait on
                # its flush.
                cursor.execute("SET LOCAL synchronous_commit = off")
        position, mac = chain_head()
        rows = _NEXT_UNCHAINED.rows(using=connection.alias)[:limit]
        updates = []
        made_by = key_id(key)
        for row in rows:
            position += 1
            values = dict(zip(CHAINED_COLUMNS, (position, *row[1:]), strict=True))
            mac = event_mac(key, mac, chained_fields_of(values))
            updates.append((position, mac, made_by, row[0]))
        if updates:
            cursor.executemany(
                f"UPDATE {table} SET position = %s, mac = %s, key_id = %s "  # noqa: S608  # nosec B608 - the model's own table name; values are parameters
                "WHERE id = %s AND position IS NULL",
                updates,
            )
            if cursor.rowcount not in (-1, len(updates)):
                raise DatabaseError("audit chain pass: an event was chained by someone else")
    return len(updates)


def chain_pending(max_events: int | None = None, durable: bool = False) -> ChainPass:
    """Chain unchained events, oldest first, until none are left (or ``max_events``).

    Passes after a request's commit are not flushed to disk before returning (a crash can
    only undo a pass, never corrupt one); ``durable`` passes (cron, checkpoints) are, with every
    pass before them.
    """
    key = audit_key()
    chained = 0
    if not _has_unchained():
        if durable:
            _flush_earlier_passes()
        return ChainPass(0)
    relaxed = not durable and connection.vendor == "sqlite" and not connection.in_atomic_block
    if relaxed:
        _sqlite_synchronous("NORMAL")
    try:
        while max_events is None or chained < max_events:
            if not _has_unchained():
                break
            room = EVENTS_PER_TRANSACTION if max_events is None else max_events - chained
            done = _chain_batch(key, min(EVENTS_PER_TRANSACTION, room), durable)
            if done is None:
                return ChainPass(chained, busy=True)
            if done == 0:
                break
            chained += done
    finally:
        if relaxed:
            _sqlite_synchronous("FULL")
    if durable:
        _flush_earlier_passes()
    return ChainPass(chained)


def _sqlite_synchronous(level: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA synchronous = {level}")


def _flush_earlier_passes() -> None:
    """Make the relaxed passes before this one durable too."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic():  # a transaction id: its commit flushes the WAL to here
                cursor.execute("SELECT pg_current_xact_id()")
        elif not connection.in_atomic_block:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def chain_pass_deferring_failure() -> ChainPass | None:
    """One pass of at most ``AFTER_COMMIT_LIMIT`` events, as a commit triggers it: a database
    failure is logged and deferred to the next pass (or cron), never raised into work that
    is already committed. None if it failed."""
    try:
        return chain_pending(max_events=AFTER_COMMIT_LIMIT)
    except DatabaseError as error:
        logger.warning("audit chain pass deferred: %s", type(error).__name__)
        return None


def chain_after_commit() -> None:
    """The pass a commit triggers. In a server process the audit writer's thread runs it
    instead (``writer``), so the request does not wait for it."""
    from ketaclinic.apps.audit.writer import audit_writer

    if audit_writer.enabled:
        audit_writer.request_chain()
        return
    chain_pass_deferring_failure()
