"""Stock on hand by site and product, containers and their full history, receiving stock."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketaclinic.apps.accounts.scoping import (
    chosen_site,
    get_for_user_or_404,
    require_permission,
    sites_for,
)
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.ledger.balances import ledger_tasks, stock_by_product
from ketaclinic.apps.ledger.choices import CORRECTABLE_KINDS
from ketaclinic.apps.ledger.forms import ReceiveForm, apply_input_error
from ketaclinic.apps.ledger.lookups import CONTAINERS, VIEW_PERMISSION
from ketaclinic.apps.ledger.models import Container
from ketaclinic.apps.ledger.operations import receive_stock
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment
from ketaclinic.clinical.exceptions import InputError


@require_permission(VIEW_PERMISSION)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The site's ledger: what is on hand, and what needs doing — discrepancies first."""
    site, sites = chosen_site(request.user, request.GET.get("site"), VIEW_PERMISSION)
    today = clock.today(site.timezone)
    tasks = ledger_tasks(site.pk)
    record_listing(
        request,
        "ledger_dashboard",
        [entry.patient_id for entry in tasks.waste_due],
        site=site.pk,
    )
    return render(
        request,
        "ledger/dashboard.html",
        {
            "site": site,
            "sites": sites,
            "today": today,
            "stock": stock_by_product(site.pk, today),
            "tasks": tasks,
            "perms_ledger": _ledger_perms(request.user),
        },
    )


def _ledger_perms(user) -> dict[str, bool]:
    names = (
        "receive_stock",
        "administer_stock",
        "waste_stock",
        "destroy_stock",
        "transfer_stock",
        "report_loss",
        "count_stock",
        "correct_entry",
        "take_inventory",
        "export_ledger",
        "resolve_discrepancy",
    )
    return {name: user.has_perm(f"ledger.{name}") for name in names}


@require_permission(VIEW_PERMISSION)
def container_list(request: HttpRequest) -> HttpResponse:
    site, sites = chosen_site(request.user, request.GET.get("site"), VIEW_PERMISSION)
    state = request.GET.get("state", "stocked")
    containers = Container.objects.filter(site=site).select_related("product", "lot")
    if state == "stocked":
        containers = containers.filter(on_hand__gt=0)
    elif state == "empty":
        containers = containers.filter(on_hand=0)
    else:
        state = "all"
    product = request.GET.get("product", "")
    if product.isdigit():
        containers = containers.filter(product_id=int(product))
    context = {
        "site": site,
        "sites": sites,
        "state": state,
        "today": clock.today(site.timezone),
        "page": paginate(
            containers.order_by("product__name", "lot__expires_on", "label"),
            page_number(request.GET),
        ),
        "query": query_without_page(request.GET),
    }
    return render_page_or_fragment(
        request, "ledger/container_list.html", "ledger/_container_rows.html", context
    )


@require_permission(VIEW_PERMISSION)
def container_detail(request: HttpRequest, container_id: int) -> HttpResponse:
    """One container's whole life, oldest first, with the running balance after each entry."""
    container = get_for_user_or_404(CONTAINERS, request.user, VIEW_PERMISSION, pk=container_id)
    entries = list(
        container.entries.select_related(
            "user", "witness", "second_witness", "patient", "session", "corrects"
        ).order_by("position")
    )
    record_listing(
        request,
        "ledger_container",
        [entry.patient_id for entry in entries],
        site=container.site_id,
        object_id=container.pk,
    )
    return render(
        request,
        "ledger/container_detail.html",
        {
            "container": container,
            "product": container.product,
            "entries": entries,
            "today": clock.today(container.site.timezone),
            "perms_ledger": _ledger_perms(request.user),
            "discrepancies": container.discrepancies.order_by("-opened_at"),
            "correctable": CORRECTABLE_KINDS,
        },
    )


@require_permission(VIEW_PERMISSION, "ledger.receive_stock")
def receive(request: HttpRequest) -> HttpResponse:
    sites = sites_for(request.user, VIEW_PERMISSION, "ledger.receive_stock").order_by("name")
    form = ReceiveForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entries = receive_stock(
                site=data["site"],
                product=data["product"],
                lot_number=data["lot_number"],
                expires_on=data["expires_on"],
                containers=data["containers"],
                supplier_name=data["supplier_name"],
                supplier_address=data["supplier_address"],
                supplier_dea=data["supplier_dea"],
                invoice=data["invoice"],
                user=request.user,
                request=request,
            )
        except InputError as error:
            apply_input_error(form, error)
        else:
            messages.success(
                request,
                f"Received {len(entries)} × {data['product'].name}, lot {data['lot_number']}.",
            )
            return redirect(f"{_dashboard_url()}?site={data['site'].pk}")
    status = 422 if request.method == "POST" else 200
    return render(request, "ledger/receive.html", {"form": form}, status=status)


def _dashboard_url() -> str:
    from django.urls import reverse

    return reverse("ledger:dashboard")
