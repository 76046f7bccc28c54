"""Reminders over the API (``/api/v1/reminders``): the list, and a patient's preferences.

Same permissions, site scoping and audit as the pages; preferences are validated by the
page's form, so a bad value is a 422 naming the field (``quiet_end``, ``preferred_channel``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, restrict
from ketaclinic.apps.api.edge import FieldErrors, Page, Paging, page_body, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.reminders.choices import ChangedVia, ReminderStatus
from ketaclinic.apps.reminders.forms import STOP_FIELDS, PreferencesForm
from ketaclinic.apps.reminders.models import OptOut, Reminder
from ketaclinic.apps.reminders.preferences import apply_preferences, preferences_of
from ketaclinic.apps.web.pagination import paginate
from ketaclinic.apps.web.record_ids import RecordId

router = Router(tags=["Reminders"])

VIEW = "reminders.view_reminder"
VIEW_PREFERENCES = "reminders.view_contactpreference"
CHANGE = "reminders.change_contactpreference"


class ReminderOut(Schema):
    id: int
    patient_id: int
    site_id: int
    kind: str
    session_id: int | None
    offset_hours: int | None
    self_report_link_id: int | None
    planned_for: dt.datetime
    due_at: dt.datetime
    status: str
    skip_reason: str
    note: str
    attempts: int
    channel: str
    sender: str
    sent_at: dt.datetime | None


class OptOutOut(Schema):
    scope: str
    created_at: dt.datetime
    created_via: str
    created_by: str
    withdrawn_at: dt.datetime | None
    withdrawn_via: str
    withdrawn_by: str


class PreferencesOut(Schema):
    patient_id: int
    preferred_channel: str
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    quiet_hours_in_force: str
    stop_appointment: bool
    stop_questionnaire: bool
    stop_email: bool
    stop_sms: bool
    opt_outs: list[OptOutOut]


class PreferencesIn(Schema):
    """Fields left out stay as they are; unknown fields are refused. Times are ``HH:MM``;
    send both quiet times, or both as null for the clinic's quiet hours."""

    model_config = {"extra": "forbid"}

    preferred_channel: Literal["email", "sms"] | None = None
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    stop_appointment: bool | None = None
    stop_questionnaire: bool | None = None
    stop_email: bool | None = None
    stop_sms: bool | None = None


def _name(user) -> str:
    return user.get_username() if user is not None else ""


def _preferences_out(patient) -> dict:
    preferences = preferences_of(patient)
    preference = preferences.preference
    opt_outs = OptOut.objects.filter(patient=patient).select_related("created_by", "withdrawn_by")
    return {
        "patient_id": patient.pk,
        "preferred_channel": preference.preferred_channel,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        "quiet_hours_in_force": str(preferences.quiet_window),
        **{name: scope in preferences.stopped for name, scope in STOP_FIELDS.items()},
        "opt_outs": [
            {
                "scope": o.scope,
                "created_at": o.created_at,
                "created_via": o.created_via,
                "created_by": _name(o.created_by),
                "withdrawn_at": o.withdrawn_at,
                "withdrawn_via": o.withdrawn_via,
                "withdrawn_by": _name(o.withdrawn_by),
            }
            for o in opt_outs
        ],
    }


@router.get("", response=responses(Page[ReminderOut]), summary="Reminders at your sites")
@requires(VIEW)
def list_reminders(
    request: HttpRequest,
    paging: Query[Paging],
    status: Literal["pending", "sent", "skipped", "failed"] | None = None,
    kind: Literal["appointment", "questionnaire"] | None = None,
    patient_id: RecordId | None = None,
) -> dict:
    """Pending first by due time when ``status=pending``; otherwise newest due first."""
    reminders = restrict(Reminder, request.user, VIEW)
    if status:
        reminders = reminders.filter(status=status)
    if kind:
        reminders = reminders.filter(kind=kind)
    if patient_id is not None:
        reminders = reminders.filter(
            patient=get_for_user_or_404(Patient, request.user, VIEW, pk=patient_id)
        )
    order = ("due_at", "id") if status == ReminderStatus.PENDING else ("-due_at", "-id")
    result = paginate(reminders.order_by(*order), paging.page, paging.page_size)
    record_listing(
        request,
        "reminder",
        [reminder.patient_id for reminder in result.items],
        page=result.number,
        filters={"status": status or "", "kind": kind or ""},
    )
    return page_body(result)


@router.get(
    "/patients/{patient_id}/preferences",
    response=responses(PreferencesOut),
    summary="A patient's reminder preferences and opt-out record",
)
@requires(VIEW_PREFERENCES)
def get_preferences(request: HttpRequest, patient_id: int) -> dict:
    patient = get_for_user_or_404(Patient, request.user, VIEW_PREFERENCES, pk=patient_id)
    record_event(
        request,
        Action.VIEW,
        object_type="contact_preference",
        object_id=patient.pk,
        patient=patient,
    )
    return _preferences_out(patient)


@router.patch(
    "/patients/{patient_id}/preferences",
    response=responses(PreferencesOut),
    summary="Change a patient's reminder preferences (audited)",
)
@requires(CHANGE)
def update_preferences(request: HttpRequest, patient_id: int, payload: PreferencesIn) -> dict:
    patient = get_for_user_or_404(Patient, request.user, CHANGE, pk=patient_id)
    current = PreferencesForm.initial_from(preferences_of(patient))
    given = payload.dict(exclude_unset=True)
    for name in STOP_FIELDS:
        if name in given and given[name] is None:
            raise FieldErrors({name: [{"message": "Give true or false.", "code": "required"}]})
    merged = {**current, **given}
    data = {
        "preferred_channel": merged["preferred_channel"] or "",
        "quiet_start": merged["quiet_start"].strftime("%H:%M") if merged["quiet_start"] else "",
        "quiet_end": merged["quiet_end"].strftime("%H:%M") if merged["quiet_end"] else "",
        **{name: "on" for name in STOP_FIELDS if merged[name]},
    }
    form = PreferencesForm(data)
    if not form.is_valid():
        raise FieldErrors(form.errors.get_json_data())
    apply_preferences(
        patient,
        preferred_channel=form.cleaned_data["preferred_channel"],
        quiet_start=form.cleaned_data["quiet_start"],
        quiet_end=form.cleaned_data["quiet_end"],
        stopped=form.stopped(),
        via=ChangedVia.API,
        by=request.user,
        request=request,
    )
    return _preferences_out(patient)


__all__ = ["router"]
