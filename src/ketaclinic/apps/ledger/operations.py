"""Every change to controlled-substance stock goes through one of these functions.

Each is atomic (it opens ``transaction.atomic()``, so it joins the caller's transaction when
there is one — the session chart calls ``record_administration`` inside its own), locks the
container row with ``select_for_update`` before reading its balance, appends a hash-chained
entry to the site's chain (``ledger:<site_id>``), updates the book balance, and writes an
audit event. Refusals raise ``InputError(field, message)`` naming the offending field, so a
form shows it beside the field and the API answers 422.

Lock order, always the same so two transactions cannot deadlock each other: container rows
(by id), then ledger chain heads (by name), then the audit chain head. A caller that has
already written an audit event in its transaction holds the audit head; PostgreSQL may then
abort one of two crossing transactions (nothing half-written; retry) — call these functions
before writing your own audit events where you can.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet, Sum

from ketaclinic.apps.ledger.appending import (
    append_entry,
    audit_entry,
    check_occurred_at,
    check_site,
    lock_container,
    verify_witness,
    withdraw_checked,
)
from ketaclinic.apps.ledger.choices import (
    DestructionMethod,
    EntryKind,
)
from ketaclinic.apps.ledger.models import (
    Container,
    LedgerEntry,
)
from ketaclinic.apps.ledger.movements import receive_stock, report_loss, transfer_stock
from ketaclinic.apps.ledger.reconciling import (
    correct_entry,
    record_count,
    resolve_discrepancy,
    take_inventory,
)
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError, MissingItem, OutOfRange

if TYPE_CHECKING:
    from django.http import HttpRequest
_REFUSED_SESSION_STATUSES = ("cancelled", "no_show")

__all__ = [
    "correct_entry",
    "open_containers",
    "outstanding_waste",
    "receive_stock",
    "record_administration",
    "record_count",
    "record_destruction",
    "record_waste",
    "report_loss",
    "resolve_discrepancy",
    "take_inventory",
    "transfer_stock",
    "verify_witness",
]

# --- stock out ------------------------------------------------------------------------------


def _check_administrable(container: Container, patient: Any, session: Any) -> None:
    if patient is None:
        raise MissingItem("patient", "an administration is to a patient")
    if patient.site_id != container.site_id:
        raise InputError("patient", "is not a patient of the container's site")
    if session is not None:
        if session.patient_id != patient.pk:
            raise InputError("session", "is another patient's session")
        if session.site_id != container.site_id:
            raise InputError("session", "is at another site")
        if session.status in _REFUSED_SESSION_STATUSES:
            raise InputError("session", f"was {session.get_status_display().lower()}")
    today = clock.today(container.site.timezone)
    if container.lot.is_expired(today):
        raise InputError(
            "container", f"lot {container.lot.lot_number} expired on {container.lot.expires_on}"
        )


def record_administration(
    *,
    container: Container,
    patient: Any,
    session: Any = None,
    volume_drawn_ml: Any = None,
    volume_given_ml: Any = None,
    units_given: Any = None,
    user: Any,
    occurred_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> LedgerEntry:
    """Record a dose given to a patient from one container; returns the administration entry.

    Solutions: ``volume_drawn_ml`` is what left the vial, ``volume_given_ml`` what the
    patient received (both Decimal or text in mL, whole microlitres; ``given <= drawn``).
    The administration takes ``given`` off the container; the rest of what was drawn must
    be wasted with a witness (``record_waste(..., administration=entry)``) — until then
    the dashboard lists it as waste due. Devices, troches and tablets: ``units_given``.

    Refused (``InputError`` naming the field): a container at another site, expired stock,
    a patient or session that does not belong, more than the container holds, a quantity
    finer than 1 µL. Call it inside your transaction: it joins it and rolls back with it.
    """
    check_occurred_at(occurred_at)
    with transaction.atomic():
        locked = lock_container(container)
        check_site(user, locked.site_id, "ledger.administer_stock")
        _check_administrable(locked, patient, session)
        product = locked.product
        if product.measure == "ul":
            if volume_drawn_ml in (None, ""):
                raise MissingItem("volume_drawn_ml", "how much was drawn from the vial")
            if volume_given_ml in (None, ""):
                raise MissingItem("volume_given_ml", "how much the patient received")
            drawn = product.parse(volume_drawn_ml, "volume_drawn_ml")
            given = product.parse(volume_given_ml, "volume_given_ml")
            if given > drawn:
                raise OutOfRange("volume_given_ml", "is more than was drawn")
            withdraw_checked(locked, drawn, "volume_drawn_ml")
        else:
            if units_given in (None, ""):
                raise MissingItem("units_given", "how many units were given")
            given = drawn = product.parse(units_given, "units_given")
            withdraw_checked(locked, given, "units_given")
        entry = append_entry(
            locked,
            kind=EntryKind.ADMINISTRATION,
            delta=-given,
            quantity=given,
            user=user,
            patient=patient,
            session=session,
            occurred_at=occurred_at,
            details={
                "drawn": drawn,
                "waste_due": drawn - given,
                "mass_mg": product.mass_text(given),
            },
        )
        audit_entry(request, entry, user)
    return entry


def record_waste(
    *,
    container: Container,
    quantity: Any,
    user: Any,
    witness: Any,
    witness_password: str,
    reason: str = "",
    administration: LedgerEntry | None = None,
    occurred_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> LedgerEntry:
    """Record drug wasted (what remains after a dose), witnessed by a second person.

    ``quantity`` is in mL for solutions (units otherwise). The witness is a different,
    authorised member of staff at the site who re-enters their password here. With
    ``administration``, the waste follows that dose: it may not exceed what was drawn but
    not given, less what was wasted for it already.
    """
    check_occurred_at(occurred_at)
    site_id = container.site_id
    verify_witness(
        user=user, witness=witness, password=witness_password, site_id=site_id, request=request
    )
    with transaction.atomic():
        locked = lock_container(container)
        check_site(user, locked.site_id, "ledger.waste_stock")
        amount = locked.product.parse(quantity, "quantity")
        patient = session = None
        if administration is not None:
            if administration.kind != EntryKind.ADMINISTRATION or (
                administration.container_id != locked.pk
            ):
                raise InputError("administration", "is not an administration from this container")
            due = outstanding_waste(administration)
            if amount > due:
                raise OutOfRange(
                    "quantity", f"is more than was drawn and not given ({due} left to waste)"
                )
            patient, session = administration.patient, administration.session
        elif not reason.strip():
            raise MissingItem("reason", "say why the drug is wasted")
        withdraw_checked(locked, amount, "quantity")
        entry = append_entry(
            locked,
            kind=EntryKind.WASTE,
            delta=-amount,
            quantity=amount,
            user=user,
            witness=witness,
            reason=reason.strip(),
            related_entry=administration,
            patient=patient,
            session=session,
            occurred_at=occurred_at,
        )
        audit_entry(request, entry, user)
    return entry


def outstanding_waste(administration: LedgerEntry) -> int:
    """What was drawn for a dose but neither given nor yet wasted with a witness."""
    wasted = (
        LedgerEntry.objects.filter(related_entry=administration, kind=EntryKind.WASTE).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )
    return int(administration.details.get("waste_due", 0)) - wasted


def record_destruction(
    *,
    container: Container,
    quantity: Any,
    method: str,
    user: Any,
    witness: Any,
    witness_password: str,
    second_witness: Any,
    second_witness_password: str,
    reason: str,
    occurred_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> LedgerEntry:
    """Destroy expired or unwanted stock, witnessed by two others (DEA Form 41 data).

    The entry's details hold what Form 41 asks: drug, NDC, strength, form, lot, quantity in
    units and in mg, method, and the two witnesses (21 CFR 1304.21(e), 1317.95(d)).
    """
    check_occurred_at(occurred_at)
    if method not in DestructionMethod.values:
        raise InputError("method", "choose a destruction method")
    if not reason.strip():
        raise MissingItem("reason", "say why the stock is destroyed (e.g. expired)")
    site_id = container.site_id
    verify_witness(
        user=user, witness=witness, password=witness_password, site_id=site_id, request=request
    )
    verify_witness(
        user=user,
        witness=second_witness,
        password=second_witness_password,
        site_id=site_id,
        field="second_witness",
        request=request,
    )
    if second_witness.pk == witness.pk:
        raise InputError("second_witness", "must be a different person from the first witness")
    with transaction.atomic():
        locked = lock_container(container)
        check_site(user, locked.site_id, "ledger.destroy_stock")
        product = locked.product
        amount = product.parse(quantity, "quantity")
        withdraw_checked(locked, amount, "quantity")
        entry = append_entry(
            locked,
            kind=EntryKind.DESTRUCTION,
            delta=-amount,
            quantity=amount,
            user=user,
            witness=witness,
            second_witness=second_witness,
            reason=reason.strip(),
            occurred_at=occurred_at,
            details={
                "form": "DEA Form 41",
                "registrant_dea": locked.site.dea_registration,
                "drug": product.get_drug_display(),
                "ndc": product.ndc,
                "strength": product.strength_text,
                "dosage_form": product.get_form_display(),
                "lot_number": locked.lot.lot_number,
                "quantity": product.quantity_text(amount),
                "mass_mg": product.mass_text(amount),
                "method": method,
                "witnesses": [witness.get_username(), second_witness.get_username()],
            },
        )
        audit_entry(request, entry, user)
    return entry


def open_containers(site_id: int) -> QuerySet[Container]:
    """Containers with stock at a site, soonest expiry first (what a nurse picks from)."""
    return (
        Container.objects.filter(site_id=site_id, on_hand__gt=0)
        .select_related("product", "lot")
        .order_by("product__name", "lot__expires_on", "label")
    )
