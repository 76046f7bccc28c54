"""The ledger over the REST API (``/api/v1/ledger``): read the book, record through the rules.

Reads: balances by product, containers, a container's entries, entries across the user's
sites. Writes (administration, waste, count, discrepancy resolution) go through the same
``operations`` as the pages, so a refusal is the same ``InputError`` — 422 naming the field.
Another site's container or entry is a 404, like a patient.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, restrict, sites_for
from ketaclinic.apps.api.edge import Page, Paging, page_body, page_of, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.ledger.balances import stock_by_product
from ketaclinic.apps.ledger.lookups import CONTAINERS, DISCREPANCIES, ENTRIES, VIEW_PERMISSION
from ketaclinic.apps.ledger.models import Container, LedgerEntry
from ketaclinic.apps.ledger.operations import (
    record_administration,
    record_count,
    record_waste,
    resolve_discrepancy,
    verify_witness,
)
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import paginate
from ketaclinic.apps.web.record_ids import RecordId
from ketaclinic.clinical.exceptions import InputError

router = Router(tags=["ledger"])


class BalanceOut(Schema):
    site_id: int
    product_id: int
    product: str
    ndc: str
    measure: str
    containers: int
    opened: int
    on_hand: int = Field(description="Ledger units: microlitres, or whole units.")
    on_hand_text: str
    on_hand_mg: str


class ContainerOut(Schema):
    id: int
    site_id: int
    label: str
    product_id: int
    lot_number: str
    expires_on: dt.date
    measure: str
    initial_quantity: int
    on_hand: int
    on_hand_text: str
    opened_at: dt.datetime | None


class EntryOut(Schema):
    id: int
    site_id: int
    chain: str
    position: int
    container_id: int
    kind: str
    effect_kind: str
    quantity: int
    delta: int
    balance_after: int
    book_quantity: int | None
    estimated: bool
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    user_id: int
    witness_id: int | None
    second_witness_id: int | None
    patient_id: int | None
    session_id: int | None
    corrects_id: int | None
    related_entry_id: int | None
    reason: str
    details: dict
    hash: str


class AdministrationIn(Schema):
    model_config = {"extra": "forbid"}
    patient_id: int
    session_id: RecordId | None = None
    volume_drawn_ml: str | None = Field(None, description='Decimal text, e.g. "3.5"')
    volume_given_ml: str | None = None
    units_given: str | None = None


class WasteIn(Schema):
    model_config = {"extra": "forbid"}
    quantity: str = Field(description="mL for solutions, units otherwise (decimal text)")
    witness_username: str
    witness_password: str
    reason: str = ""
    administration_id: RecordId | None = None


class CountIn(Schema):
    model_config = {"extra": "forbid"}
    counted: str
    estimated: bool = False


class ResolveIn(Schema):
    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=1, max_length=2000)


class CountOut(Schema):
    entry: EntryOut
    discrepancy_id: int | None


class ResolvedOut(Schema):
    id: int
    status: str
    resolved_at: dt.datetime | None


def _container(request: HttpRequest, container_id: int, *permissions: str) -> Container:
    try:
        return get_for_user_or_404(
            CONTAINERS, request.user, VIEW_PERMISSION, *permissions, pk=container_id
        )
    except Exception as error:  # Http404 from scoping
        raise HttpError(404, "No such container") from error


@router.get(
    "/balances", response=responses(Page[BalanceOut]), summary="Stock on hand by site and product"
)
@requires(VIEW_PERMISSION)
def balances(request: HttpRequest, paging: Query[Paging], site_id: RecordId | None = None) -> dict:
    sites = sites_for(request.user, VIEW_PERMISSION).order_by("name")
    if site_id is not None:
        sites = sites.filter(pk=site_id)
        if not sites:
            raise HttpError(404, "No such site")
    rows = []
    for site in sites:
        for line in stock_by_product(site.pk, clock.today(site.timezone)):
            rows.append(
                {
                    "site_id": site.pk,
                    "product_id": line.product.pk,
                    "product": line.product.name,
                    "ndc": line.product.ndc,
                    "measure": line.product.measure,
                    "containers": line.containers,
                    "opened": line.opened,
                    "on_hand": line.on_hand,
                    "on_hand_text": line.on_hand_text,
                    "on_hand_mg": f"{line.on_hand_mg.normalize():f}",
                }
            )
    body = page_of(rows, paging)
    # Stock names no patient, but a read of the controlled-substance ledger is still recorded.
    record_listing(request, "ledger_balances", [], page=body["page"], filters={"site_id": site_id})
    return body


def _container_out(container: Container) -> dict:
    return {
        "id": container.pk,
        "site_id": container.site_id,
        "label": container.label,
        "product_id": container.product_id,
        "lot_number": container.lot.lot_number,
        "expires_on": container.lot.expires_on,
        "measure": container.product.measure,
        "initial_quantity": container.initial_quantity,
        "on_hand": container.on_hand,
        "on_hand_text": container.on_hand_text,
        "opened_at": container.opened_at,
    }


@router.get("/containers", response=responses(Page[ContainerOut]), summary="Containers with stock")
@requires(VIEW_PERMISSION)
def containers(
    request: HttpRequest, paging: Query[Paging], site_id: RecordId | None = None
) -> dict:
    found = (
        restrict(Container, request.user, VIEW_PERMISSION)
        .filter(on_hand__gt=0)
        .select_related("product", "lot")
    )
    if site_id is not None:
        found = found.filter(site_id=site_id)
    body = page_of(
        found.order_by("site_id", "product_id", "lot__expires_on", "id"), paging, _container_out
    )
    record_listing(
        request, "ledger_containers", [], page=body["page"], filters={"site_id": site_id}
    )
    return body


@router.get("/containers/{container_id}", response=responses(ContainerOut), summary="One container")
@requires(VIEW_PERMISSION)
def container(request: HttpRequest, container_id: int) -> dict:
    found = _container(request, container_id)
    record_event(
        request, Action.VIEW, object_type="ledger_container", object_id=found.pk, site=found.site_id
    )
    return _container_out(found)


@router.get("/entries", response=responses(Page[EntryOut]), summary="Ledger entries at your sites")
@requires(VIEW_PERMISSION)
def entries(
    request: HttpRequest,
    paging: Query[Paging],
    site_id: RecordId | None = None,
    container_id: RecordId | None = None,
    kind: str = "",
) -> dict:
    found = restrict(LedgerEntry, request.user, VIEW_PERMISSION)
    if site_id is not None:
        found = found.filter(site_id=site_id)
    if container_id is not None:
        found = found.filter(container_id=container_id)
    if kind:
        found = found.filter(kind=kind)
    result = paginate(found.order_by("site_id", "position"), paging.page, paging.page_size)
    record_listing(
        request,
        "ledger_entries",
        [entry.patient_id for entry in result.items],
        page=result.number,
        filters={"site_id": site_id, "container_id": container_id, "kind": kind},
    )
    return page_body(result)


@router.post(
    "/containers/{container_id}/administrations",
    response=responses({201: EntryOut}),
    summary="Record an administration",
)
@requires(VIEW_PERMISSION, "ledger.administer_stock")
def administer(
    request: HttpRequest, container_id: int, payload: AdministrationIn
) -> Status[LedgerEntry]:
    found = _container(request, container_id, "ledger.administer_stock")
    try:
        patient = get_for_user_or_404(
            Patient, request.user, "patients.view_patient", pk=payload.patient_id
        )
    except Exception:
        raise InputError("patient_id", "no such patient at your sites") from None
    session = None
    if payload.session_id is not None:
        from ketaclinic.apps.treatment.models import Session

        session = Session.objects.filter(pk=payload.session_id, patient=patient).first()
        if session is None:
            raise InputError("session_id", "no such session for this patient")
    entry = record_administration(
        container=found,
        patient=patient,
        session=session,
        volume_drawn_ml=payload.volume_drawn_ml,
        volume_given_ml=payload.volume_given_ml,
        units_given=payload.units_given,
        user=request.user,
        request=request,
    )
    return Status(201, entry)


@router.post(
    "/containers/{container_id}/wastes",
    response=responses({201: EntryOut}),
    summary="Record witnessed waste",
)
@requires(VIEW_PERMISSION, "ledger.waste_stock")
def waste(request: HttpRequest, container_id: int, payload: WasteIn) -> Status[LedgerEntry]:
    found = _container(request, container_id, "ledger.waste_stock")
    witness = get_user_model().objects.filter(username=payload.witness_username).first()
    administration = None
    if payload.administration_id is not None:
        try:
            administration = get_for_user_or_404(
                ENTRIES, request.user, VIEW_PERMISSION, pk=payload.administration_id
            )
        except Exception:
            raise InputError("administration_id", "no such entry") from None
    try:
        if witness is None:  # refused exactly like a wrong password: no "no such user" oracle
            verify_witness(
                user=request.user,
                witness=None,
                witness_username=payload.witness_username,
                password=payload.witness_password,
                site_id=found.site_id,
                request=request,
            )
        entry = record_waste(
            container=found,
            quantity=payload.quantity,
            user=request.user,
            witness=witness,
            witness_password=payload.witness_password,
            reason=payload.reason,
            administration=administration,
            request=request,
        )
    except InputError as error:
        field = {"witness": "witness_username", "administration": "administration_id"}.get(
            error.field, error.field
        )
        raise InputError(field, error.message) from None
    return Status(201, entry)


@router.post(
    "/containers/{container_id}/counts",
    response=responses({201: CountOut}),
    summary="Record a count",
)
@requires(VIEW_PERMISSION, "ledger.count_stock")
def count(request: HttpRequest, container_id: int, payload: CountIn) -> Status[dict[str, Any]]:
    found = _container(request, container_id, "ledger.count_stock")
    entry, discrepancy = record_count(
        container=found,
        counted=payload.counted,
        estimated=payload.estimated,
        user=request.user,
        request=request,
    )
    return Status(201, {"entry": entry, "discrepancy_id": discrepancy.pk if discrepancy else None})


@router.post(
    "/discrepancies/{discrepancy_id}/resolve",
    response=responses(ResolvedOut),
    summary="Resolve a discrepancy",
)
@requires(VIEW_PERMISSION, "ledger.resolve_discrepancy")
def resolve(request: HttpRequest, discrepancy_id: int, payload: ResolveIn) -> dict:
    try:
        found = get_for_user_or_404(
            DISCREPANCIES,
            request.user,
            VIEW_PERMISSION,
            "ledger.resolve_discrepancy",
            pk=discrepancy_id,
        )
    except Exception:
        raise HttpError(404, "No such discrepancy") from None
    resolved = resolve_discrepancy(
        discrepancy=found, reason=payload.reason, user=request.user, request=request
    )
    return {"id": resolved.pk, "status": resolved.status, "resolved_at": resolved.resolved_at}
