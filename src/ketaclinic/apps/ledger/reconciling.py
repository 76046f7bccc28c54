"""Counts, discrepancies, inventories and corrections: keeping the book equal to the shelf."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.ledger.appending import (
    append_entry,
    audit_entry,
    check_occurred_at,
    check_site,
    lock_container,
    parse_allowing_zero,
)
from ketaclinic.apps.ledger.choices import (
    CORRECTABLE_KINDS,
    DECREASING_KINDS,
    DiscrepancyStatus,
    EntryKind,
    InventoryKind,
    InventoryTiming,
)
from ketaclinic.apps.ledger.models import (
    Container,
    Discrepancy,
    Inventory,
    LedgerEntry,
)
from ketaclinic.apps.web import clock
from ketaclinic.clinical import controlled_substances as cs
from ketaclinic.clinical.exceptions import InputError, MissingItem, OutOfRange

if TYPE_CHECKING:
    from django.http import HttpRequest
__all__ = [
    "correct_entry",
    "effective_quantity",
    "record_count",
    "resolve_discrepancy",
    "take_inventory",
]

# --- counts, discrepancies, inventories -----------------------------------------------------


def record_count(
    *,
    container: Container,
    counted: Any,
    estimated: bool = False,
    user: Any,
    inventory: Inventory | None = None,
    occurred_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[LedgerEntry, Discrepancy | None]:
    """Record a physical count; a count that differs from the book opens a discrepancy.

    ``counted`` is in mL or units (``"0"`` for an empty container). An estimate is allowed
    only where 21 CFR 1304.11(e)(3) allows it (an opened Schedule III-V container).
    """
    check_occurred_at(occurred_at)
    with transaction.atomic():
        locked = lock_container(container)
        check_site(user, locked.site_id, "ledger.count_stock")
        product = locked.product
        counted_quantity = parse_allowing_zero(product, counted, "counted")
        if counted_quantity > locked.initial_quantity:
            held = product.quantity_text(locked.initial_quantity)
            raise InputError("counted", f"is more than this container held when received ({held})")
        if estimated:
            method = cs.count_method(
                schedule=product.schedule,
                opened=locked.is_opened,
                form=product.form,
                units_in_container=locked.initial_quantity,
            )
            if method is cs.CountMethod.EXACT:
                raise InputError("estimated", "this container must be counted exactly")
        entry = append_entry(
            locked,
            kind=EntryKind.COUNT,
            delta=0,
            quantity=counted_quantity,
            user=user,
            book_quantity=locked.on_hand,
            estimated=estimated,
            inventory=inventory,
            occurred_at=occurred_at,
        )
        audit_entry(request, entry, user)
        discrepancy = None
        if counted_quantity != locked.on_hand:
            discrepancy = _open_discrepancy(locked, entry, request)
    return entry, discrepancy


def _open_discrepancy(container: Container, entry: LedgerEntry, request) -> Discrepancy:
    product = container.product
    difference = entry.quantity - entry.book_quantity
    alert = raise_alert(
        site=container.site_id,
        kind=AlertKind.LEDGER_DISCREPANCY,
        level=AlertLevel.URGENT,
        title=(
            f"Count differs from the book on {container.label}: "
            f"{'+' if difference > 0 else '−'}{product.quantity_text(abs(difference))}"
        ),
        message=(
            f"Book {product.quantity_text(entry.book_quantity)}, counted "
            f"{product.quantity_text(entry.quantity)}. A prescriber or the medical director "
            "resolves it on the ledger's discrepancies page."
        ),
        source_type="ledger_entry",
        source_id=entry.pk,
        request=request,
    )
    return Discrepancy.objects.create(
        site_id=container.site_id,
        container=container,
        count_entry=entry,
        book_quantity=entry.book_quantity,
        counted_quantity=entry.quantity,
        opened_at=entry.recorded_at,
        alert=alert,
    )


def resolve_discrepancy(
    *,
    discrepancy: Discrepancy,
    reason: str,
    user: Any,
    resolving_entry: LedgerEntry | None = None,
    request: HttpRequest | None = None,
) -> Discrepancy:
    """Close a discrepancy with the reason (and the correction or loss entry, if any).

    Only a prescriber or the medical director may (permission ``resolve_discrepancy``);
    the alert raised with it is acknowledged with the same reason.
    """
    if not user.has_perm("ledger.resolve_discrepancy"):
        raise InputError("user", "only a prescriber or the medical director resolves these")
    reason = reason.strip()
    if not reason:
        raise MissingItem("reason", "say what explains the difference")
    from ketaclinic.apps.alerts.raising import AlertAlreadyAcknowledged, acknowledge_alert

    with transaction.atomic():
        locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
        check_site(user, locked.site_id, "ledger.resolve_discrepancy", "discrepancy")
        if not locked.is_open:
            raise InputError("discrepancy", "was resolved already")
        if resolving_entry is not None and resolving_entry.site_id != locked.site_id:
            raise InputError("resolving_entry", "is an entry of another site")
        locked.status = DiscrepancyStatus.RESOLVED
        locked.resolved_by = user
        locked.resolved_at = clock.now()
        locked.resolution = reason
        locked.resolving_entry = resolving_entry
        locked.save(
            update_fields=["status", "resolved_by", "resolved_at", "resolution", "resolving_entry"]
        )
        record_event(
            request,
            Action.ACKNOWLEDGE,
            object_type="ledger_discrepancy",
            object_id=locked.pk,
            site=locked.site_id,
            actor=user,
            detail={"reason": reason[:200]},
        )
        if locked.alert_id:
            with contextlib.suppress(AlertAlreadyAcknowledged):
                acknowledge_alert(locked.alert, user=user, note=reason, request=request)
    return locked


def take_inventory(
    *,
    site: Any,
    kind: str,
    timing: str,
    counts: dict[int, tuple[Any, bool]],
    user: Any,
    note: str = "",
    request: HttpRequest | None = None,
) -> tuple[Inventory, list[Discrepancy]]:
    """An inventory: every container with stock at the site counted at once (1304.11).

    ``counts`` maps container id to (counted, estimated). Every container holding stock
    must be counted; one left out is refused by name.
    """
    site_id = getattr(site, "pk", site)
    check_site(user, site_id, "ledger.take_inventory", "site")
    if kind not in InventoryKind.values:
        raise InputError("kind", "choose initial, biennial or annual")
    if timing not in InventoryTiming.values:
        raise InputError("timing", "say whether taken at opening or close of business")
    with transaction.atomic():
        stocked = list(
            Container.objects.filter(site_id=site_id, on_hand__gt=0)
            .order_by("pk")
            .values_list("pk", "label")
        )
        for pk, label in stocked:
            if pk not in counts:
                raise MissingItem(f"container_{pk}", f"{label} has not been counted")
        inventory = Inventory.objects.create(
            site_id=site_id,
            kind=kind,
            timing=timing,
            taken_at=clock.now(),
            taken_by=user,
            note=note.strip(),
        )
        discrepancies = []
        for pk in sorted(counts):
            counted, estimated = counts[pk]
            try:
                container = Container.objects.get(pk=pk, site_id=site_id)
            except Container.DoesNotExist:
                raise InputError(f"container_{pk}", "is not a container of this site") from None
            try:
                _entry, found = record_count(
                    container=container,
                    counted=counted,
                    estimated=estimated,
                    user=user,
                    inventory=inventory,
                    request=request,
                )
            except InputError as error:
                raise InputError(f"container_{pk}", f"{error.field}: {error.message}") from None
            if found is not None:
                discrepancies.append(found)
        record_event(
            request,
            Action.CREATE,
            object_type="ledger_inventory",
            object_id=inventory.pk,
            site=site_id,
            actor=user,
            detail={"kind": kind, "timing": timing, "containers": len(counts)},
        )
    return inventory, discrepancies


# --- corrections ----------------------------------------------------------------------------


def effective_quantity(entry: LedgerEntry) -> int:
    """An entry's quantity once its corrections are applied."""
    corrected = entry.corrections.aggregate(total=Sum("delta"))["total"] or 0
    sign = -1 if entry.kind in DECREASING_KINDS else 1
    return entry.quantity + sign * corrected


def correct_entry(
    *,
    entry: LedgerEntry,
    corrected_quantity: Any,
    reason: str,
    user: Any,
    request: HttpRequest | None = None,
) -> LedgerEntry:
    """Say what an entry should have recorded; the entry itself never changes.

    The correction's delta is the difference, in the corrected entry's kind, so totals by
    kind and the container's balance follow. Refused where the balance would go below
    zero (e.g. correcting a receipt down below what has been given since).
    """
    if entry.kind not in CORRECTABLE_KINDS:
        raise InputError(
            "entry",
            "counts and transfers are not corrected: record a new count or a new transfer",
        )
    reason = reason.strip()
    if not reason:
        raise MissingItem("reason", "say why the entry was wrong")
    with transaction.atomic():
        locked = lock_container(entry.container_id)
        check_site(user, locked.site_id, "ledger.correct_entry", "entry")
        product = locked.product
        new = parse_allowing_zero(product, corrected_quantity, "corrected_quantity")
        current = effective_quantity(entry)
        if new == current:
            raise InputError("corrected_quantity", "is what the entry already says")
        sign = -1 if entry.kind in DECREASING_KINDS else 1
        delta = sign * (new - current)
        if locked.on_hand + delta < 0:
            raise OutOfRange(
                "corrected_quantity",
                f"would take the container below zero ({product.quantity_text(locked.on_hand)}"
                " on hand)",
            )
        receipt = entry.kind == EntryKind.RECEIPT
        if receipt and delta > 0:  # raise what was received before the balance rises
            locked.initial_quantity += delta
            locked.save(update_fields=["initial_quantity"])
        correction = append_entry(
            locked,
            kind=EntryKind.CORRECTION,
            effect_kind=entry.kind,
            delta=delta,
            quantity=abs(delta),
            user=user,
            corrects=entry,
            patient=entry.patient,
            session=entry.session,
            reason=reason,
            details={"from": current, "to": new},
        )
        if receipt and delta < 0:  # ... and lower it after the balance fell
            locked.initial_quantity += delta
            locked.save(update_fields=["initial_quantity"])
        audit_entry(request, correction, user, Action.CORRECT)
    return correction
