"""Recording entries on a container: administer, waste, count, destroy, loss, transfer, correct.

Each page is one form; the rules run in ``operations`` and a refusal comes back on the field
it concerns, with status 422 and nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketaclinic.apps.accounts.scoping import (
    get_for_user_or_404,
    require_permission,
    restrict,
    sites_for,
)
from ketaclinic.apps.ledger import forms as ledger_forms
from ketaclinic.apps.ledger.lookups import CONTAINERS, ENTRIES, VIEW_PERMISSION
from ketaclinic.apps.ledger.models import Container
from ketaclinic.apps.ledger.operations import (
    correct_entry,
    outstanding_waste,
    record_administration,
    record_count,
    record_destruction,
    record_waste,
    report_loss,
    transfer_stock,
)
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError


def _handle(
    request: HttpRequest,
    container: Container,
    form: forms.Form,
    title: str,
    action: Callable[[dict[str, Any]], str],
    *,
    intro: str = "",
    entry: Any = None,
) -> HttpResponse:
    """Validate, run the rule, and either go back to the container or show the refusal."""
    if request.method == "POST" and form.is_valid():
        try:
            message = action(form.cleaned_data)
        except InputError as error:
            ledger_forms.apply_input_error(form, error)
        else:
            messages.success(request, message)
            return redirect("ledger:container", container.pk)
    return render(
        request,
        "ledger/entry_form.html",
        {"form": form, "container": container, "title": title, "intro": intro, "entry": entry},
        status=422 if request.method == "POST" else 200,
    )


@require_permission(VIEW_PERMISSION, "ledger.administer_stock")
def administer(request: HttpRequest, container_id: int) -> HttpResponse:
    container = get_for_user_or_404(
        CONTAINERS, request.user, VIEW_PERMISSION, "ledger.administer_stock", pk=container_id
    )
    from ketaclinic.apps.treatment.models import Session

    today = clock.today(container.site.timezone)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=ZoneInfo(container.site.timezone))
    sessions = (
        Session.objects.filter(
            site=container.site,
            planned_start__gte=start,
            planned_start__lt=start + dt.timedelta(days=1),
        )
        .exclude(status__in=["cancelled", "no_show"])
        .select_related("patient")
        .order_by("planned_start")
    )
    patients = restrict(Patient, request.user, "patients.view_patient").filter(site=container.site)
    form = ledger_forms.AdministerForm(
        request.POST or None, container=container, sessions=sessions, patients=patients
    )

    def act(data: dict) -> str:
        entry = record_administration(
            container=container,
            patient=data["patient"],
            session=data.get("session"),
            volume_drawn_ml=data.get("volume_drawn_ml"),
            volume_given_ml=data.get("volume_given_ml"),
            units_given=data.get("units_given"),
            user=request.user,
            request=request,
        )
        due = entry.details.get("waste_due", 0)
        text = f"Administration recorded: {container.product.quantity_text(entry.quantity)}."
        if due:
            text += f" Waste {container.product.quantity_text(due)} with a witness now."
        return text

    return _handle(
        request,
        container,
        form,
        "Record an administration",
        act,
        intro="What was drawn leaves the vial; what was not given is wasted with a witness.",
    )


@require_permission(VIEW_PERMISSION, "ledger.waste_stock")
def waste(request: HttpRequest, container_id: int) -> HttpResponse:
    container = get_for_user_or_404(
        CONTAINERS, request.user, VIEW_PERMISSION, "ledger.waste_stock", pk=container_id
    )
    initial = {}
    if request.GET.get("administration", "").isdigit():
        dose = container.entries.filter(pk=int(request.GET["administration"])).first()
        if dose is not None and outstanding_waste(dose) > 0:
            initial["administration"] = dose.pk
            initial["quantity"] = container.product.quantity_text(outstanding_waste(dose)).split()[
                0
            ]
    form = ledger_forms.WasteForm(
        request.POST or None, initial=initial, container=container, user=request.user
    )

    def act(data: dict) -> str:
        entry = record_waste(
            container=container,
            quantity=data["quantity"],
            user=request.user,
            witness=data["witness"],
            witness_password=data["witness_password"],
            reason=data.get("reason", ""),
            administration=data.get("administration"),
            request=request,
        )
        return (
            f"Waste of {container.product.quantity_text(entry.quantity)} recorded, "
            f"witnessed by {entry.witness.display_name}."
        )

    return _handle(
        request,
        container,
        form,
        "Record waste with a witness",
        act,
        intro="A second licensed person watches the waste and types their own password.",
    )


@require_permission(VIEW_PERMISSION, "ledger.count_stock")
def count(request: HttpRequest, container_id: int) -> HttpResponse:
    container = get_for_user_or_404(
        CONTAINERS, request.user, VIEW_PERMISSION, "ledger.count_stock", pk=container_id
    )
    form = ledger_forms.CountForm(request.POST or None, container=container)

    def act(data: dict) -> str:
        _entry, discrepancy = record_count(
            container=container,
            counted=data["counted"],
            estimated=data["estimated"],
            user=request.user,
            request=request,
        )
        if discrepancy is None:
            return "Count recorded: it matches the book."
        return (
            "Count recorded. It differs from the book by "
            f"{container.product.quantity_text(abs(discrepancy.difference))}: "
            "a discrepancy is open for a prescriber or the medical director."
        )

    return _handle(request, container, form, "Record a physical count", act)


@require_permission(VIEW_PERMISSION, "ledger.destroy_stock")
def destroy(request: HttpRequest, container_id: int) -> HttpResponse:
    container = get_for_user_or_404(
        CONTAINERS, request.user, VIEW_PERMISSION, "ledger.destroy_stock", pk=container_id
    )
    form = ledger_forms.DestroyForm(request.POST or None, container=container, user=request.user)

    def act(data: dict) -> str:
        entry = record_destruction(
            container=container,
            quantity=data["quantity"],
            method=data["method"],
            user=request.user,
            witness=data["witness"],
            witness_password=data["witness_password"],
            second_witness=data["second_witness"],
            second_witness_password=data["second_witness_password"],
            reason=data["reason"],
            request=request,
        )
        return f"Destruction of {container.product.quantity_text(entry.quantity)} recorded."

    return _handle(
        request,
        container,
        form,
        "Record destruction (DEA Form 41)",
        act,
        intro="Two people other than you witness the destruction and type their passwords.",
    )


@require_permission(VIEW_PERMISSION, "ledger.report_loss")
def loss(request: HttpRequest, container_id: int) -> HttpResponse:
    container = get_for_user_or_404(
        CONTAINERS, request.user, VIEW_PERMISSION, "ledger.report_loss", pk=container_id
    )
    form = ledger_forms.LossForm(
        request.POST or None,
        initial={"discovered_on": clock.today(container.site.timezone)},
        container=container,
    )

    def act(data: dict) -> str:
        entry = report_loss(
            container=container,
            quantity=data["quantity"],
            loss_type=data["loss_type"],
            discovered_on=data["discovered_on"],
            description=data["description"],
            police_notified=data["police_notified"],
            user=request.user,
            request=request,
        )
        report = entry.loss_report
        return (
            f"Loss recorded. Notify the DEA Field Division Office by {report.notify_by:%Y-%m-%d}"
            f" and submit DEA Form 106 by {report.form_106_by:%Y-%m-%d}."
        )

    return _handle(request, container, form, "Report a theft or loss (DEA Form 106)", act)


@require_permission(VIEW_PERMISSION, "ledger.transfer_stock")
def transfer(request: HttpRequest, container_id: int) -> HttpResponse:
    container = get_for_user_or_404(
        CONTAINERS, request.user, VIEW_PERMISSION, "ledger.transfer_stock", pk=container_id
    )
    form = ledger_forms.TransferForm(
        request.POST or None,
        container=container,
        sites=sites_for(request.user, VIEW_PERMISSION),
    )

    def act(data: dict) -> str:
        _out, into = transfer_stock(
            container=container,
            to_site=data["to_site"],
            quantity=data.get("quantity"),
            user=request.user,
            reason=data.get("reason", ""),
            request=request,
        )
        return f"Transferred to {data['to_site'].name} as container {into.container.label}."

    return _handle(request, container, form, "Transfer to another site", act)


@require_permission(VIEW_PERMISSION, "ledger.correct_entry")
def correct(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_for_user_or_404(
        ENTRIES, request.user, VIEW_PERMISSION, "ledger.correct_entry", pk=entry_id
    )
    container = entry.container
    form = ledger_forms.CorrectForm(request.POST or None, entry=entry)

    def act(data: dict) -> str:
        correct_entry(
            entry=entry,
            corrected_quantity=data["corrected_quantity"],
            reason=data["reason"],
            user=request.user,
            request=request,
        )
        return f"Correction of entry #{entry.position} recorded."

    return _handle(
        request,
        container,
        form,
        f"Correct entry #{entry.position} ({entry.get_kind_display().lower()})",
        act,
        intro="The entry stays as written; the correction is a new entry that points at it.",
        entry=entry,
    )
