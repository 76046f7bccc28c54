"""Discrepancies (resolved only by a prescriber or the medical director), inventories, and
the DEA loss-report steps."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.apps.accounts.scoping import chosen_site, get_for_user_or_404, require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.ledger.choices import DiscrepancyStatus
from ketaclinic.apps.ledger.forms import (
    InventoryForm,
    LossProgressForm,
    ResolveForm,
    apply_input_error,
)
from ketaclinic.apps.ledger.lookups import DISCREPANCIES, VIEW_PERMISSION
from ketaclinic.apps.ledger.models import Discrepancy, Inventory, LossReport
from ketaclinic.apps.ledger.operations import open_containers, resolve_discrepancy, take_inventory
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment
from ketaclinic.clinical.exceptions import InputError


@require_permission(VIEW_PERMISSION)
def discrepancy_list(request: HttpRequest) -> HttpResponse:
    site, sites = chosen_site(request.user, request.GET.get("site"), VIEW_PERMISSION)
    state = request.GET.get("state", "open")
    discrepancies = Discrepancy.objects.filter(site=site).select_related(
        "container__product", "count_entry__user", "resolved_by"
    )
    if state == "open":
        discrepancies = discrepancies.filter(status=DiscrepancyStatus.OPEN)
    elif state == "resolved":
        discrepancies = discrepancies.filter(status=DiscrepancyStatus.RESOLVED)
    else:
        state = "all"
    context = {
        "site": site,
        "sites": sites,
        "state": state,
        "page": paginate(discrepancies, page_number(request.GET)),
        "query": query_without_page(request.GET),
        "can_resolve": request.user.has_perm("ledger.resolve_discrepancy"),
        "resolve_form": ResolveForm(),
    }
    return render_page_or_fragment(
        request, "ledger/discrepancy_list.html", "ledger/_discrepancy_rows.html", context
    )


@require_permission(VIEW_PERMISSION, "ledger.resolve_discrepancy")
@require_POST
def discrepancy_resolve(request: HttpRequest, discrepancy_id: int) -> HttpResponse:
    discrepancy = get_for_user_or_404(
        DISCREPANCIES,
        request.user,
        VIEW_PERMISSION,
        "ledger.resolve_discrepancy",
        pk=discrepancy_id,
    )
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            resolve_discrepancy(
                discrepancy=discrepancy,
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except InputError as error:
            apply_input_error(form, error)
        else:
            messages.success(request, f"Discrepancy on {discrepancy.container.label} resolved.")
            return redirect(f"{_url('ledger:discrepancies')}?site={discrepancy.site_id}")
    return render(
        request,
        "ledger/discrepancy_resolve.html",
        {"discrepancy": discrepancy, "resolve_form": form},
        status=422,
    )


@require_permission(VIEW_PERMISSION, "ledger.take_inventory")
def inventory(request: HttpRequest) -> HttpResponse:
    """Count every container with stock at the site at once (initial, biennial or annual)."""
    site, sites = chosen_site(
        request.user, request.GET.get("site"), VIEW_PERMISSION, "ledger.take_inventory"
    )
    containers = list(open_containers(site.pk))
    form = InventoryForm(request.POST or None, containers=containers)
    if request.method == "POST" and form.is_valid():
        try:
            taken, discrepancies = take_inventory(
                site=site,
                kind=form.cleaned_data["kind"],
                timing=form.cleaned_data["timing"],
                counts=form.counts(),
                user=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except InputError as error:
            apply_input_error(form, error)
        else:
            messages.success(
                request,
                f"{taken.get_kind_display()} recorded: {len(containers)} container(s), "
                f"{len(discrepancies)} discrepanc{'y' if len(discrepancies) == 1 else 'ies'}.",
            )
            return redirect("ledger:inventory-report", taken.pk)
    past = Inventory.objects.filter(site=site).select_related("taken_by")[:10]
    return render(
        request,
        "ledger/inventory.html",
        {"form": form, "site": site, "sites": sites, "past": past},
        status=422 if request.method == "POST" else 200,
    )


@require_permission(VIEW_PERMISSION, "ledger.report_loss")
@require_POST
def loss_progress(request: HttpRequest, report_id: int) -> HttpResponse:
    """Tick off a DEA step: the written notice sent, or Form 106 submitted."""
    report = get_for_user_or_404(
        LossReport, request.user, VIEW_PERMISSION, "ledger.report_loss", pk=report_id
    )
    form = LossProgressForm(request.POST)
    if form.is_valid():
        now = clock.now()
        if form.cleaned_data["step"] == "notified" and not report.field_office_notified_at:
            report.field_office_notified_at = now
        elif form.cleaned_data["step"] == "form_106" and not report.form_106_submitted_at:
            report.form_106_submitted_at = now
            report.form_106_reference = form.cleaned_data["reference"]
        report.save()
        record_event(
            request,
            Action.UPDATE,
            object_type="ledger_loss_report",
            object_id=report.pk,
            site=report.site_id,
            detail={"step": form.cleaned_data["step"]},
        )
        messages.success(request, "Step recorded.")
    return redirect(f"{_url('ledger:dashboard')}?site={report.site_id}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
