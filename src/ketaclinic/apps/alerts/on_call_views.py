"""The on-call page: a site's escalation policy, its rota and the staff pager numbers.

For the medical director (``alerts.manage_on_call``), at their own sites only.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketaclinic.apps.accounts.scoping import require_permission, sites_for
from ketaclinic.apps.alerts.models import OnCallPolicy, OnCallShift, PagerNumber
from ketaclinic.apps.alerts.on_call import contact_promise, on_call_chain
from ketaclinic.apps.alerts.on_call_forms import (
    OnCallPolicyForm,
    OnCallShiftForm,
    PagerNumberForm,
    site_clinicians,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock

MANAGE = "alerts.manage_on_call"


def _site(request: HttpRequest):
    sites = sites_for(request.user, "alerts.manage_on_call").order_by("name")
    wanted = request.POST.get("site") or request.GET.get("site")
    if wanted:
        site = sites.filter(pk=wanted).first() if str(wanted).isdigit() else None
        if site is None:
            raise Http404("No such site")
        return site
    site = sites.first()
    if site is None:
        raise Http404("You work at no site")
    return site


def _page(request: HttpRequest, site, status: int = 200, **forms) -> HttpResponse:
    now = clock.now()
    policy = OnCallPolicy.objects.filter(site=site).first()
    people = list(site_clinicians(site))
    numbers = dict(PagerNumber.objects.filter(person__in=people).values_list("person_id", "number"))
    context = {
        "site": site,
        "sites": sites_for(request.user, "alerts.manage_on_call").order_by("name"),
        "policy": policy,
        "policy_form": forms.get("policy_form") or OnCallPolicyForm(instance=policy, site=site),
        "shift_form": forms.get("shift_form") or OnCallShiftForm(site=site),
        "pager_form": forms.get("pager_form") or PagerNumberForm(site=site),
        "shifts": OnCallShift.objects.filter(site=site, ends_at__gt=now)
        .select_related("person")
        .order_by("starts_at", "rank")[:50],
        "chain_now": on_call_chain(site.pk, now, policy),
        "people": [(person, numbers.get(person.pk, "")) for person in people],
        "promise": contact_promise(site),
        "join_url": settings.KETACLINIC_PUBLIC_URL + reverse("join:form", args=[site.slug]),
    }
    return render(request, "alerts/on_call.html", context, status=status)


@require_permission(MANAGE)
def on_call(request: HttpRequest) -> HttpResponse:
    return _page(request, _site(request))


def _back(site) -> HttpResponse:
    return redirect(f"{reverse('alerts:on-call')}?site={site.pk}")


@require_permission(MANAGE)
@require_POST
def on_call_policy(request: HttpRequest) -> HttpResponse:
    site = _site(request)
    policy = OnCallPolicy.objects.filter(site=site).first()
    form = OnCallPolicyForm(request.POST, instance=policy, site=site)
    if not form.is_valid():
        return _page(request, site, status=422, policy_form=form)
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.site = site
        saved.updated_at = clock.now()
        saved.updated_by = request.user
        saved.save()
        record_event(
            request, Action.UPDATE, object_type="on_call_policy", object_id=saved.pk, site=site
        )
    messages.success(request, f"On-call policy saved for {site.name}.")
    return _back(site)


@require_permission(MANAGE)
@require_POST
def on_call_shift_add(request: HttpRequest) -> HttpResponse:
    site = _site(request)
    with timezone.override(ZoneInfo(site.timezone)):
        form = OnCallShiftForm(request.POST, site=site)
        valid = form.is_valid()
    if not valid:
        return _page(request, site, status=422, shift_form=form)
    with transaction.atomic():
        shift = form.save(commit=False)
        shift.site = site
        shift.save()
        record_event(
            request, Action.CREATE, object_type="on_call_shift", object_id=shift.pk, site=site
        )
    messages.success(request, f"{shift.person.display_name} is on the rota.")
    return _back(site)


@require_permission(MANAGE)
@require_POST
def on_call_shift_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    site = _site(request)
    with transaction.atomic():
        shift = OnCallShift.objects.filter(site=site, pk=shift_id).first()
        if shift is None:
            raise Http404("No such shift")
        shift.delete()
        record_event(
            request, Action.DELETE, object_type="on_call_shift", object_id=shift_id, site=site
        )
    messages.success(request, "Shift removed from the rota.")
    return _back(site)


@require_permission(MANAGE)
@require_POST
def pager_number_set(request: HttpRequest) -> HttpResponse:
    site = _site(request)
    form = PagerNumberForm(request.POST, site=site)
    if not form.is_valid():
        return _page(request, site, status=422, pager_form=form)
    with transaction.atomic():
        person = form.cleaned_data["person"]
        PagerNumber.objects.update_or_create(
            person=person, defaults={"number": form.cleaned_data["number"]}
        )
        record_event(
            request, Action.UPDATE, object_type="pager_number", object_id=person.pk, site=site
        )
    messages.success(request, f"Pager number saved for {person.display_name}.")
    return _back(site)
