"""The one way an entry is written: under the container's row lock, onto the site's chain.

Every function in ``operations`` builds on these: ``lock_container`` re-reads the container
with ``select_for_update`` so the balance checked is the balance changed; ``append_entry``
adds the hash-chained entry and moves the book balance in the same transaction;
``verify_witness`` makes a second person prove who they are with their own password.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from ketaclinic.apps.accounts import throttling
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.hashchain import GENESIS_HASH, chain_hash
from ketaclinic.apps.audit.models import ChainHead
from ketaclinic.apps.audit.recorder import append_to_chain, record_event
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import (
    Container,
    LedgerEntry,
    Product,
    WasteAwaited,
    chain_name,
)
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.bulk_write import insert_rows, reserve_ids
from ketaclinic.clinical import controlled_substances as cs
from ketaclinic.clinical.exceptions import InputError, MissingItem, OutOfRange

if TYPE_CHECKING:
    from django.http import HttpRequest
__all__ = [
    "WITNESS_PERMISSION",
    "WITNESS_REFUSED",
    "append_batch",
    "append_entry",
    "audit_entry",
    "check_occurred_at",
    "check_site",
    "lock_chains",
    "lock_container",
    "parse_allowing_zero",
    "verify_witness",
    "withdraw_checked",
]

WITNESS_PERMISSION = "ledger.witness_entry"


# --- building blocks ------------------------------------------------------------------------


def lock_container(container: Container | int) -> Container:
    """The container, re-read under its row lock: the balance we check is the one we change."""
    pk = getattr(container, "pk", container)
    return Container.objects.select_for_update().select_related("product", "lot", "site").get(pk=pk)


def check_site(user: Any, site_id: int, permission: str, field: str = "container") -> None:
    """Refuse a record at a site where ``user`` does not hold ``permission``."""
    from ketaclinic.apps.accounts.scoping import holds_at

    if not holds_at(user, permission, site_id):
        raise InputError(field, "is at a site where your role does not allow this")


def append_entry(
    container: Container, *, kind: str, delta: int, quantity: int, user: Any, **fields: Any
) -> LedgerEntry:
    """Append one entry to the container's site chain and move its balance by ``delta``."""
    balance = container.on_hand + delta
    if balance < 0:  # every caller checks first; this is the last line before the database's
        raise OutOfRange("quantity", "would take the container below zero")
    now = clock.now()
    occurred_at = fields.pop("occurred_at", None) or now
    effect_kind = fields.pop("effect_kind", kind)

    def make(position: int, prev_hash: str) -> LedgerEntry:
        return LedgerEntry(
            chain=chain_name(container.site_id),
            position=position,
            prev_hash=prev_hash,
            site_id=container.site_id,
            container=container,
            kind=kind,
            effect_kind=effect_kind,
            quantity=quantity,
            delta=delta,
            balance_after=balance,
            occurred_at=occurred_at,
            recorded_at=now,
            user=user,
            **fields,
        )

    entry = append_to_chain(chain_name(container.site_id), make, LedgerEntry.chained_fields)
    track_waste_awaited([entry])
    if delta:
        container.on_hand = balance
        update = ["on_hand"]
        if delta < 0 and container.opened_at is None:
            container.opened_at = occurred_at
            update.append("opened_at")
        container.save(update_fields=update)
    return entry


# The columns ``append_batch`` writes, read from each entry by these attribute names.
BATCH_COLUMNS = (
    "id", "chain", "position", "site", "container", "kind", "effect_kind", "quantity",
    "delta", "balance_after", "book_quantity", "estimated", "occurred_at", "recorded_at",
    "user", "witness", "second_witness", "patient", "session", "corrects", "related_entry",
    "inventory", "reason", "details", "prev_hash", "hash",
)  # fmt: skip


def append_batch(site_id: int, entries: Sequence[Any]) -> None:
    """Append many entries to the site's chain at once (a history played out in advance, such
    as the demo's), in order, under the chain head's row lock.

    Each entry (a ``LedgerEntry`` or anything with its attribute names, including
    ``chained_fields``) gets its key, position, previous hash and hash here, by the same
    ``chain_hash`` over the same fields as ``append_entry``, so ``ledger verify`` checks both
    alike. The balances must run as ``append_entry`` would move them: each entry's
    ``balance_after`` is its container's previous balance plus its ``delta``, never below
    zero. The previous balance of a container with entries in the chain already is its
    last entry's ``balance_after`` (read here, so a long history can be appended a batch at
    a time); of a container first received in the batch, 0. Containers are the caller's to
    store.
    """
    for index, entry in enumerate(entries):
        if entry.site_id != site_id:
            raise InputError(f"entries[{index}].site", "is not the chain's site")
    running = _balances_so_far({entry.container_id for entry in entries})
    for index, entry in enumerate(entries):
        balance = running.get(entry.container_id, 0) + entry.delta
        if balance < 0 or balance != entry.balance_after:
            raise OutOfRange(
                f"entries[{index}].balance_after",
                f"is {entry.balance_after}, but the container's balance would be {balance}",
            )
        running[entry.container_id] = balance
    chain = chain_name(site_id)
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            name=chain, defaults={"position": 0, "last_hash": GENESIS_HASH}
        )
        position, last_hash = head.position, head.last_hash
        for entry, key in zip(entries, reserve_ids(LedgerEntry, len(entries)), strict=True):
            position += 1
            entry.id, entry.chain, entry.position, entry.prev_hash = key, chain, position, last_hash
            entry.hash = last_hash = chain_hash(last_hash, entry.chained_fields())
        names = [f"{n}_id" if n in _KEYS else n for n in BATCH_COLUMNS]
        insert_rows(
            LedgerEntry,
            BATCH_COLUMNS,
            ([getattr(entry, name) for name in names] for entry in entries),
        )
        ChainHead.objects.filter(pk=head.pk).update(position=position, last_hash=last_hash)
        track_waste_awaited(entries)


def _balances_so_far(container_ids: set[int]) -> dict[int, int]:
    """The balance after the last entry of each of ``container_ids`` that has one."""
    last = (
        LedgerEntry.objects.filter(container_id=OuterRef("pk"))
        .order_by("-position")
        .values("balance_after")[:1]
    )
    found: dict[int, int] = {}
    ids = sorted(container_ids)
    for start in range(0, len(ids), 5000):  # under SQLite's bound-parameter limit
        found.update(
            Container.objects.filter(pk__in=ids[start : start + 5000])
            .annotate(balance=Subquery(last))
            .filter(balance__isnull=False)
            .values_list("pk", "balance")
        )
    return found


def track_waste_awaited(entries: Sequence[Any]) -> None:
    """Keep ``WasteAwaited`` in step with entries just appended, in their transaction.

    An administration with ``details["waste_due"]`` adds a row; a witnessed waste that follows
    a dose (``related_entry``) lowers its row, deleting it once nothing is left. Wastes for
    doses in the same batch settle in memory first, so a played-out history (the demo) writes
    only the doses still waiting, and one statement or two per waste for older doses.
    """
    new: dict[int, WasteAwaited] = {}
    wasted_before: dict[int, int] = {}
    for entry in entries:
        if entry.kind == EntryKind.ADMINISTRATION:
            due = int((entry.details or {}).get("waste_due", 0) or 0)
            if due > 0:
                new[entry.id] = WasteAwaited(
                    administration_id=entry.id,
                    site_id=entry.site_id,
                    position=entry.position,
                    due_units=due,
                )
        elif entry.kind == EntryKind.WASTE and entry.related_entry_id:
            if entry.related_entry_id in new:
                new[entry.related_entry_id].due_units -= entry.quantity
            else:
                earlier = wasted_before.get(entry.related_entry_id, 0)
                wasted_before[entry.related_entry_id] = earlier + entry.quantity
    waiting = [row for row in new.values() if row.due_units > 0]
    if waiting:
        WasteAwaited.objects.bulk_create(waiting, batch_size=1000)
    for administration_id, quantity in wasted_before.items():
        rows = WasteAwaited.objects.filter(pk=administration_id)
        if not rows.filter(due_units__gt=quantity).update(due_units=F("due_units") - quantity):
            rows.delete()


_KEYS = {
    "site", "container", "user", "witness", "second_witness", "patient", "session", "corrects",
    "related_entry", "inventory",
}  # fmt: skip


def audit_entry(
    request: HttpRequest | None, entry: LedgerEntry, user: Any, action: str = Action.CREATE
) -> None:
    record_event(
        request,
        action,
        object_type="ledger_entry",
        object_id=entry.pk,
        patient=entry.patient,
        site=entry.site_id,
        actor=user,
        detail={
            "kind": entry.kind,
            "container": entry.container.label,
            "delta": entry.delta,
            "position": entry.position,
        },
    )


def check_occurred_at(occurred_at: dt.datetime | None) -> None:
    if occurred_at is not None and occurred_at > clock.now() + dt.timedelta(minutes=5):
        raise OutOfRange("occurred_at", "is in the future")


WITNESS_REFUSED = (
    "the witness could not be confirmed: check who is witnessing and that they typed their "
    f"own password (after {throttling.WITNESS_ACCOUNT.failures} failed tries, wait "
    f"{throttling.WITNESS_ACCOUNT.window_minutes} minutes)"
)


def verify_witness(
    *,
    user: Any,
    witness: Any,
    password: str,
    site_id: int,
    field: str = "witness",
    request: HttpRequest | None = None,
    witness_username: str = "",
) -> None:
    """A witness is another active, authorised member of staff at the site, who proves it
    is them by typing their own password now (a name picked from a list proves nothing).

    Every way the check can fail after the witness is named (no such user, inactive, not
    authorised, another site, wrong password, too many tries) gives one message on the
    password field, and the password is checked in each of them, so neither the words nor
    the time taken tell which: the check is not an oracle for who may witness or for
    passwords. It is throttled per witness and per person recording.
    """
    if witness is None and not witness_username:
        raise MissingItem(field, "a second person must witness this")
    if witness is not None and witness.pk == getattr(user, "pk", None):
        raise InputError(field, "must be someone other than the person recording")
    if not password:
        raise MissingItem(f"{field}_password", "the witness types their password")
    username = witness.get_username() if witness is not None else witness_username
    recorder = str(getattr(user, "pk", ""))
    refused = InputError(f"{field}_password", WITNESS_REFUSED)
    if throttling.is_locked(throttling.WITNESS_ACCOUNT, username) or throttling.is_locked(
        throttling.WITNESS_RECORDER, recorder
    ):
        _audit_witness_refusal(request, user, username, site_id, "locked_out")
        raise refused
    # Django's ModelBackend runs the password hasher for unknown names too (same time).
    confirmed = authenticate(request, username=username, password=password)
    from ketaclinic.apps.accounts.scoping import holds_at

    if (
        confirmed is None
        or witness is None
        or confirmed.pk != witness.pk
        or not holds_at(confirmed, WITNESS_PERMISSION, site_id)
    ):
        throttling.record_failure(throttling.WITNESS_ACCOUNT, username)
        throttling.record_failure(throttling.WITNESS_RECORDER, recorder)
        _audit_witness_refusal(request, user, username, site_id, "not_confirmed")
        raise refused
    throttling.clear(throttling.WITNESS_ACCOUNT, username)


def _audit_witness_refusal(
    request: HttpRequest | None, user: Any, username: str, site_id: int, reason: str
) -> None:
    record_event(
        request,
        Action.VERIFY,
        object_type="ledger_witness",
        site=site_id,
        outcome=Outcome.DENIED,
        actor=user,
        detail={"witness": username[:150], "reason": reason},
    )


def withdraw_checked(container: Container, quantity: int, field: str) -> None:
    cs.withdraw(container.on_hand, quantity, field)


def parse_allowing_zero(product: Product, value: Any, field: str) -> int:
    """Counts and corrections may say "nothing": ``0`` is a valid answer there."""
    text = str(value).strip()
    try:
        if text and Decimal(text) == 0:
            return 0
    except InvalidOperation:
        pass
    return product.parse(value, field)


def lock_chains(*site_ids: int) -> None:
    """Take several sites' chain heads in name order, so crossing transfers cannot deadlock."""
    names = sorted(chain_name(site_id) for site_id in site_ids)
    for name in names:
        ChainHead.objects.get_or_create(
            name=name, defaults={"position": 0, "last_hash": GENESIS_HASH}
        )
    list(ChainHead.objects.select_for_update().filter(name__in=names).order_by("name"))
