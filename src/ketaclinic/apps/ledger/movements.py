"""Stock coming in and leaving other than to a patient: receipts, transfers, losses."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.ledger.appending import (
    append_entry,
    audit_entry,
    check_occurred_at,
    check_site,
    lock_chains,
    lock_container,
    withdraw_checked,
)
from ketaclinic.apps.ledger.choices import (
    EntryKind,
    LossType,
)
from ketaclinic.apps.ledger.models import (
    Container,
    LedgerEntry,
    LossReport,
    Lot,
    Product,
)
from ketaclinic.apps.web import clock
from ketaclinic.clinical import controlled_substances as cs
from ketaclinic.clinical.exceptions import InputError, MissingItem, OutOfRange

if TYPE_CHECKING:
    from django.http import HttpRequest
__all__ = ["receive_stock", "report_loss", "transfer_stock"]

# --- stock in -------------------------------------------------------------------------------


def receive_stock(
    *,
    site: Any,
    product: Product,
    lot_number: str,
    expires_on: dt.date,
    containers: int,
    supplier_name: str,
    supplier_address: str,
    supplier_dea: str,
    invoice: str,
    user: Any,
    received_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> list[LedgerEntry]:
    """Receive sealed containers of one lot from a supplier (21 CFR 1304.22(c)).

    One receipt entry per container, each carrying the supplier's name, address and DEA
    number and the invoice, so every container's history starts with where it came from.
    """
    site_id = getattr(site, "pk", site)
    check_site(user, site_id, "ledger.receive_stock", "site")
    check_occurred_at(received_at)
    lot_number = lot_number.strip()
    if not lot_number:
        raise MissingItem("lot_number", "write the lot number from the container")
    if not 1 <= containers <= 500:
        raise OutOfRange("containers", "between 1 and 500 containers per receipt")
    for field, value in (
        ("supplier_name", supplier_name),
        ("supplier_address", supplier_address),
        ("supplier_dea", supplier_dea),
        ("invoice", invoice),
    ):
        if not str(value).strip():
            raise MissingItem(field, "is required on a receipt")
    with transaction.atomic():
        lot, _created = Lot.objects.get_or_create(
            product=product, lot_number=lot_number, defaults={"expires_on": expires_on}
        )
        if lot.expires_on != expires_on:
            raise InputError(
                "expires_on", f"lot {lot_number} was received before with expiry {lot.expires_on}"
            )
        lock_chains(site_id)  # one receipt at a time per site: container labels stay unique
        when = received_at or clock.now()
        details = {
            "supplier_name": supplier_name.strip(),
            "supplier_address": supplier_address.strip(),
            "supplier_dea": supplier_dea.strip().upper(),
            "invoice": invoice.strip(),
            "lot_number": lot_number,
            "expires_on": expires_on.isoformat(),
            "ndc": product.ndc,
        }
        entries = []
        first = Container.objects.filter(site_id=site_id).count() + 1
        for index in range(containers):
            container = Container.objects.create(
                site_id=site_id,
                product=product,
                lot=lot,
                label=f"S{site_id}-{first + index:05d}-{lot_number}"[:40],
                initial_quantity=product.package_quantity,
                on_hand=0,
                received_at=when,
            )
            entry = append_entry(
                container,
                kind=EntryKind.RECEIPT,
                delta=product.package_quantity,
                quantity=product.package_quantity,
                user=user,
                occurred_at=when,
                details=details,
            )
            audit_entry(request, entry, user)
            entries.append(entry)
    return entries


def transfer_stock(
    *,
    container: Container,
    to_site: Any,
    quantity: Any = None,
    user: Any,
    reason: str = "",
    occurred_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move stock to another of the clinic's sites: out of one chain, into the other.

    The receiving site gets a new container (``transferred_from`` the old one) whose history
    starts with a ``transfer_in`` entry; the two entries point at each other. ``quantity``
    (mL or units) defaults to everything in the container.
    """
    check_occurred_at(occurred_at)
    to_site_id = getattr(to_site, "pk", to_site)
    if to_site_id == container.site_id:
        raise InputError("to_site", "is the site the stock is at already")
    check_site(user, to_site_id, "ledger.view_ledgerentry", "to_site")
    with transaction.atomic():
        locked = lock_container(container)
        check_site(user, locked.site_id, "ledger.transfer_stock")
        product = locked.product
        amount = locked.on_hand if quantity in (None, "") else product.parse(quantity, "quantity")
        withdraw_checked(locked, amount, "quantity")
        lock_chains(locked.site_id, to_site_id)
        when = occurred_at or clock.now()
        out = append_entry(
            locked,
            kind=EntryKind.TRANSFER_OUT,
            delta=-amount,
            quantity=amount,
            user=user,
            reason=reason.strip(),
            occurred_at=when,
            details={"to_site_id": to_site_id},
        )
        arrived = Container.objects.create(
            site_id=to_site_id,
            product=product,
            lot=locked.lot,
            label=f"{locked.label}-T{out.position}"[:40],
            initial_quantity=amount,
            on_hand=0,
            received_at=when,
            opened_at=locked.opened_at,
            transferred_from=locked,
        )
        into = append_entry(
            arrived,
            kind=EntryKind.TRANSFER_IN,
            delta=amount,
            quantity=amount,
            user=user,
            reason=reason.strip(),
            occurred_at=when,
            related_entry=out,
            details={"from_site_id": locked.site_id, "from_container": locked.label},
        )
        audit_entry(request, out, user)
        audit_entry(request, into, user)
    return out, into


def report_loss(
    *,
    container: Container,
    quantity: Any,
    loss_type: str,
    discovered_on: dt.date,
    description: str,
    police_notified: bool,
    user: Any,
    holidays: tuple[dt.date, ...] | None = None,
    request: HttpRequest | None = None,
) -> LedgerEntry:
    """Record a theft or loss (DEA Form 106 data) and open its two deadlines as tasks.

    The site's alert list gets an urgent ledger alert, and the dashboard shows the notice
    (one business day: the site's open weekdays, less its calendar's holidays unless
    ``holidays`` is given) and Form 106 (45 days) deadlines until both are done.
    """
    if loss_type not in LossType.values:
        raise InputError("loss_type", "choose the type of theft or loss")
    if not description.strip():
        raise MissingItem("description", "describe what was found")
    with transaction.atomic():
        locked = lock_container(container)
        check_site(user, locked.site_id, "ledger.report_loss")
        today = clock.today(locked.site.timezone)
        if discovered_on > today:
            raise OutOfRange("discovered_on", "is in the future")
        product = locked.product
        amount = product.parse(quantity, "quantity")
        withdraw_checked(locked, amount, "quantity")
        if holidays is None:
            holidays = _site_holidays(locked.site_id, discovered_on)
        deadlines = cs.loss_report_deadlines(
            discovered_on, business_weekdays=locked.site.open_weekdays, holidays=holidays
        )
        entry = append_entry(
            locked,
            kind=EntryKind.LOSS_OR_THEFT,
            delta=-amount,
            quantity=amount,
            user=user,
            reason=description.strip(),
            details={
                "form": "DEA Form 106",
                "registrant_dea": locked.site.dea_registration,
                "loss_type": loss_type,
                "discovered_on": discovered_on.isoformat(),
                "police_notified": bool(police_notified),
                "drug": product.get_drug_display(),
                "ndc": product.ndc,
                "strength": product.strength_text,
                "lot_number": locked.lot.lot_number,
                "quantity": product.quantity_text(amount),
                "mass_mg": product.mass_text(amount),
            },
        )
        LossReport.objects.create(
            entry=entry,
            site_id=locked.site_id,
            discovered_on=discovered_on,
            notify_by=deadlines.notify_field_office_by,
            form_106_by=deadlines.form_106_by,
        )
        audit_entry(request, entry, user)
        raise_alert(
            site=locked.site_id,
            kind=AlertKind.LEDGER_DISCREPANCY,
            level=AlertLevel.URGENT,
            title=f"Loss or theft reported: {product.quantity_text(amount)} from {locked.label}",
            message=(
                f"Notify the DEA Field Division Office in writing by "
                f"{deadlines.notify_field_office_by}; submit DEA Form 106 by "
                f"{deadlines.form_106_by}."
            ),
            source_type="ledger_entry",
            source_id=entry.pk,
            request=request,
        )
    return entry


def _site_holidays(site_id: int, start: dt.date) -> tuple[dt.date, ...]:
    """The site's closed days in the fortnight after discovery (its calendar's holidays)."""
    from ketaclinic.apps.treatment.models import Holiday

    days = Holiday.objects.filter(
        site_id=site_id, date__gt=start, date__lte=start + dt.timedelta(days=14)
    ).values_list("date", flat=True)
    return tuple(days)
