"""Staff pages: the site's reminders (upcoming and recent, filtered, paginated) and one
patient's reminder preferences, opt-out record and reminders.

Who: front desk, nurses, prescribers and the medical director see reminders and change a
patient's preferences (they are the ones a patient tells "stop texting me"); therapists and
the administrator do not see reminders (logistics, not therapy; no patient data for the
administrator). Another site's patient is a 404; every read and change is audited.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission, restrict
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.reminders.choices import ChangedVia, ReminderStatus
from ketaclinic.apps.reminders.forms import PreferencesForm, ReminderFilterForm
from ketaclinic.apps.reminders.models import OptOut, Reminder, policy_for
from ketaclinic.apps.reminders.preferences import apply_preferences, preferences_of
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment

VIEW = "reminders.view_reminder"
CHANGE = "reminders.change_contactpreference"
RECENT_DAYS = 30


def _rows():
    return Reminder.objects.select_related("patient", "site", "session", "self_report_link")


@require_permission(VIEW)
def reminder_list(request: HttpRequest) -> HttpResponse:
    form = ReminderFilterForm(request.GET)
    filters = form.values()
    reminders = restrict(_rows(), request.user, VIEW)
    if filters["when"] == "upcoming":
        reminders = reminders.filter(status=ReminderStatus.PENDING).order_by("due_at", "id")
    elif filters["when"] == "recent":
        since = clock.now() - dt.timedelta(days=RECENT_DAYS)
        reminders = reminders.exclude(status=ReminderStatus.PENDING).filter(updated_at__gte=since)
        reminders = reminders.order_by("-updated_at", "-id")
    else:
        reminders = reminders.order_by("-due_at", "-id")
    if filters["status"]:
        reminders = reminders.filter(status=filters["status"])
    if filters["kind"]:
        reminders = reminders.filter(kind=filters["kind"])
    page = paginate(reminders, page_number(request.GET))
    record_listing(
        request,
        "reminder",
        [reminder.patient_id for reminder in page.items],
        page=page.number,
        filters=filters,
    )
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "query": query_without_page(request.GET),
        "when_choices": ReminderFilterForm.WHEN_CHOICES,
    }
    return render_page_or_fragment(
        request, "reminders/reminder_list.html", "reminders/_reminder_rows.html", context
    )


@require_permission(VIEW)
@require_http_methods(["GET", "POST"])
def patient_preferences(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, VIEW, pk=patient_id)
    can_change = request.user.has_perm(CHANGE)
    preferences = preferences_of(patient)
    form = PreferencesForm(initial=PreferencesForm.initial_from(preferences))
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = PreferencesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            changed = apply_preferences(
                patient,
                preferred_channel=data["preferred_channel"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                stopped=form.stopped(),
                via=ChangedVia.STAFF,
                by=request.user,
                request=request,
            )
            messages.success(request, "Preferences saved." if changed else "Nothing was changed.")
            return redirect("reminders:patient", patient_id=patient.pk)
    else:
        record_event(
            request,
            Action.VIEW,
            object_type="contact_preference",
            object_id=patient.pk,
            patient=patient,
        )
    context = {
        "patient": patient,
        "preferences": preferences,
        "site_window": policy_for(patient.site).quiet_window,
        "form": form,
        "can_change": can_change,
        "opt_outs": list(
            OptOut.objects.filter(patient=patient).select_related("created_by", "withdrawn_by")
        ),
        "reminders": list(_rows().filter(patient=patient).order_by("-due_at", "-id")[:20]),
    }
    status = 422 if form.errors else 200
    return render(request, "reminders/patient_preferences.html", context, status=status)
