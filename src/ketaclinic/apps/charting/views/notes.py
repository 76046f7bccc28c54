"""Session notes (nursing, prescriber) and the therapist's integration notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import NoteKind
from ketaclinic.apps.charting.forms import IntegrationNoteForm, SessionNoteForm, attach_error
from ketaclinic.apps.charting.models import IntegrationNote
from ketaclinic.apps.charting.notes import (
    INTEGRATION_FIELDS,
    write_integration_note,
    write_session_note,
)
from ketaclinic.apps.charting.views.base import (
    chart_action,
    chart_with_errors,
    require_any_permission,
    submit,
)
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError

NOTE_PERMISSION: dict[str, str] = {
    NoteKind.NURSING: "charting.chart_session",
    NoteKind.PRESCRIBER: "charting.write_prescriber_note",
}


@chart_action(*NOTE_PERMISSION.values())
def session_note_view(request: HttpRequest, session, kind: str) -> HttpResponse:
    if kind not in NOTE_PERMISSION:
        raise Http404("No such kind of note")
    if not request.user.has_perm(NOTE_PERMISSION[kind]):
        raise PermissionDenied
    form = SessionNoteForm(request.POST)

    def write(data: dict) -> None:
        write_session_note(
            session, kind=kind, text=data["text"], user=request.user, request=request
        )

    return submit(
        request,
        session,
        form,
        write,
        form_name="note_form",
        anchor="notes",
        success="Note saved.",
        failed=lambda: chart_with_errors(request, session, note_form=form, note_kind=kind),
    )


READERS = ("charting.read_integration_note", "charting.write_integration_note")


@require_any_permission(*READERS)
@require_http_methods(["GET", "POST"])
def integration_notes_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A patient's integration notes; therapists add one here."""
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    sessions = list(patient.sessions.order_by("-planned_start")[:30])
    can_write = request.user.has_perm("charting.write_integration_note")
    form = IntegrationNoteForm(
        request.POST if request.method == "POST" else None,
        sessions=sessions,
        initial={"met_on": clock.today(patient.site.timezone)},
    )
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            session = next((s for s in sessions if s.pk == data["session"]), None)
            try:
                write_integration_note(
                    patient,
                    session=session,
                    met_on=data["met_on"],
                    fields={name: data[name] for name in INTEGRATION_FIELDS},
                    user=request.user,
                    request=request,
                )
            except InputError as error:
                attach_error(form, error)
            else:
                messages.success(request, "Integration note saved.")
                return redirect("charting:integration-notes", patient_id=patient.pk)
    notes = IntegrationNote.objects.filter(patient=patient)
    if not request.user.has_perm("charting.read_integration_note"):
        # A therapist who only writes reads a KAP program's notes only as its therapist or
        # co-therapist: assignment, not the site, opens psychotherapy notes (docs/kap.md).
        notes = notes.filter(
            Q(kap_note__isnull=True)
            | Q(kap_note__program__therapist=request.user)
            | Q(kap_note__program__co_therapist=request.user)
        )
    notes = list(notes.select_related("author", "session")[:50])
    if request.method == "GET":
        record_event(
            request,
            Action.VIEW,
            object_type="integration_note",
            patient=patient,
            detail={"count": len(notes)},
        )
    return render(
        request,
        "charting/integration_notes.html",
        {"patient": patient, "notes": notes, "form": form, "can_write": can_write},
        status=422 if form.errors else 200,
    )
