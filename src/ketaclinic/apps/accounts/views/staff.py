"""The medical director's staff pages: list, create, edit roles and sites, deactivate and
reactivate, reset two-factor log-in. Each change is one transaction with its audit event.

Who may be changed, and which roles given, is ``granting.py``'s rule; staff at none of the
director's sites are a 404, like a patient at another site.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.apps.accounts import mfa
from ketaclinic.apps.accounts.authenticated import AuthenticatedRequest
from ketaclinic.apps.accounts.choices import MFA_REQUIRED_ROLES
from ketaclinic.apps.accounts.forms.staff import StaffCreateForm, StaffFilterForm, StaffForm
from ketaclinic.apps.accounts.granting import (
    MANAGE_STAFF_PERMISSION,
    may_manage,
    staff_visible_to,
)
from ketaclinic.apps.accounts.models import SiteRole, TotpDevice, User
from ketaclinic.apps.accounts.scoping import require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "licence_number",
    "licence_expires_on",
    "dea_number",
    "dea_expires_on",
)


def _listed(request: AuthenticatedRequest, form: StaffFilterForm) -> QuerySet[User]:
    staff = staff_visible_to(request.user).annotate(
        mfa_enrolled=Exists(
            TotpDevice.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
        )
    )
    status = "active"
    if form.is_valid():
        status = form.cleaned_data["status"] or "active"
        text = form.cleaned_data["q"].strip()
        if text:
            staff = staff.filter(
                Q(username__icontains=text)
                | Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
            )
    if status != "all":
        staff = staff.filter(is_active=status == "active")
    site_roles = Prefetch("site_roles", SiteRole.objects.select_related("site", "group"))
    return staff.prefetch_related("groups", "sites", "user_permissions", site_roles).order_by(
        "last_name", "first_name", "username"
    )


def _row(manager: User, person: User) -> dict:
    roles = sorted(group.name for group in person.groups.all())
    at_one_site = sorted((row.group.name, row.site.name) for row in person.site_roles.all())
    return {
        "person": person,
        "roles": [_role_label(name) for name in roles]
        + [f"{_role_label(name)} at {site}" for name, site in at_one_site],
        "sites": sorted(site.name for site in person.sites.all()),
        "mfa_required": person.is_staff
        or bool({*roles, *(name for name, _site in at_one_site)} & set(MFA_REQUIRED_ROLES)),
        "manageable": may_manage(manager, person),
    }


def _role_label(name: str) -> str:
    from ketaclinic.apps.accounts.choices import Role

    return Role(name).label if name in Role.values else name


@require_permission(MANAGE_STAFF_PERMISSION)
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    page = paginate(_listed(request, form), page_number(request.GET))
    context = {
        "form": form,
        "page": page,
        "rows": [_row(request.user, person) for person in page.items],
        "query": query_without_page(request.GET),
    }
    return render_page_or_fragment(
        request, "accounts/staff_list.html", "accounts/_staff_rows.html", context
    )


def _manageable(request: AuthenticatedRequest, user_id: int) -> User:
    person = staff_visible_to(request.user).filter(pk=user_id).first()
    if person is None:
        raise Http404("No such member of staff")
    if not may_manage(request.user, person):
        raise PermissionDenied
    return person


@require_permission(MANAGE_STAFF_PERMISSION)
def staff_create(request: AuthenticatedRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save(commit=False)
            person.username = form.cleaned_data["username"]
            person.set_password(form.cleaned_data["password1"])
            person.save()
            changes = form.save_roles_and_sites(person)
            record_event(
                request,
                Action.CREATE,
                object_type="user",
                object_id=person.pk,
                detail={"via": "staff_pages", "username": person.username, **changes},
            )
        messages.success(request, f"{person.display_name} can now log in as {person.username}.")
        return redirect("accounts:staff-edit", person.pk)
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "title": "New member of staff"},
        status=422 if request.method == "POST" else 200,
    )


@require_permission(MANAGE_STAFF_PERMISSION)
def staff_edit(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    person = _manageable(request, user_id)
    form = StaffForm(request.POST or None, instance=person, manager=request.user)
    if request.method == "POST" and form.is_valid():
        changed = sorted(name for name in form.changed_data if name in PROFILE_FIELDS)
        with transaction.atomic():
            form.save()
            changes = form.save_roles_and_sites(person)
            record_event(
                request,
                Action.UPDATE,
                object_type="user",
                object_id=person.pk,
                detail={"via": "staff_pages", "fields": changed, **changes},
            )
        messages.success(request, f"{person.display_name}'s account was saved.")
        return redirect("accounts:staff-edit", person.pk)
    context = {
        "form": form,
        "person": person,
        "title": person.display_name,
        "mfa_enrolled": mfa.is_enrolled(person),
        "mfa_required": mfa.mfa_required(person),
    }
    return render(
        request,
        "accounts/staff_form.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@require_permission(MANAGE_STAFF_PERMISSION)
def staff_set_active(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    person = _manageable(request, user_id)
    active = request.POST.get("active") == "1"
    if person.is_active != active:
        with transaction.atomic():
            person.is_active = active
            person.save(update_fields=["is_active"])
            record_event(
                request,
                Action.UPDATE,
                object_type="user",
                object_id=person.pk,
                detail={"via": "staff_pages", "change": "reactivated" if active else "deactivated"},
            )
    if active:
        messages.success(request, f"{person.display_name} can log in again.")
    else:
        messages.success(request, f"{person.display_name} can no longer log in.")
    return redirect("accounts:staff-edit", person.pk)


@require_POST
@require_permission(MANAGE_STAFF_PERMISSION)
def staff_reset_mfa(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    person = _manageable(request, user_id)
    with transaction.atomic():
        mfa.reset_mfa(person)
        record_event(
            request,
            Action.UPDATE,
            object_type="user",
            object_id=person.pk,
            detail={"via": "staff_pages", "change": "mfa_reset"},
        )
    messages.success(
        request,
        f"{person.display_name}'s two-factor log-in was reset: they set it up again at their "
        "next log-in" + ("." if mfa.mfa_required(person) else ", if they choose to."),
    )
    return redirect("accounts:staff-edit", person.pk)
