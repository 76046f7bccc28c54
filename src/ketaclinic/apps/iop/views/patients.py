"""A patient's IOP page: each group they are or were in, hours per week against their plan
and the program's minimum (a table with bars), recent attendance, their current ketamine
course, and the notes the user may read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.iop.leading import SEE_ATTENDANCE, VIEW, groups_for, note_groups_for
from ketaclinic.apps.iop.models import Attendance, IopNote
from ketaclinic.apps.iop.program import ABSENCE_SOURCE, current_courses, weekly_hours_for
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock

WEEKS_ON_PATIENT_PAGE = 8
ATTENDANCE_SHOWN = 24


@require_permission(VIEW)
def patient_iop(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    today = clock.today(patient.site.timezone)
    enrolments = list(
        patient.iop_enrolments.filter(group__in=groups_for(request.user))
        .select_related("group")
        .order_by("ended_on", "-starts_on")
    )
    can_see_attendance = request.user.has_perm(SEE_ATTENDANCE)
    hours = (
        weekly_hours_for(enrolments, as_of=today, weeks=WEEKS_ON_PATIENT_PAGE)
        if can_see_attendance
        else {}
    )
    attendance = []
    if can_see_attendance:
        attendance = list(
            Attendance.objects.filter(enrolment__in=enrolments)
            .select_related("session__group")
            .order_by("-session__held_on", "-session__starts_at")[:ATTENDANCE_SHOWN]
        )
    notes = list(
        IopNote.objects.filter(
            enrolment__in=enrolments, session__group__in=note_groups_for(request.user)
        )
        .select_related("session__group", "author")
        .order_by("-session__held_on")[:20]
    )
    alerts = []
    if can_see_attendance and request.user.has_perm("alerts.view_alert"):
        alerts = list(
            Alert.objects.filter(patient=patient, source_type=ABSENCE_SOURCE).order_by(
                "-raised_at"
            )[:10]
        )
    record_event(
        request,
        Action.VIEW,
        object_type="iop_enrolment",
        patient=patient,
        detail={"attendance": can_see_attendance, "notes": len(notes)},
    )
    programs = []
    for enrolment in enrolments:
        weeks = hours.get(enrolment.pk, [])
        top = max([w.offered_hours for w in weeks] + [enrolment.planned_hours_per_week, 1])
        rows = [
            {
                "w": w,
                "pct": min(100, round(w.attended_minutes * 100 / (top * 60))),
                "minimum_pct": min(100, round(w.minimum_hours * 100 / top)),
            }
            for w in weeks
        ]
        programs.append({"enrolment": enrolment, "weeks": rows})
    context = {
        "patient": patient,
        "programs": programs,
        "course": current_courses([patient.pk]).get(patient.pk),
        "attendance": attendance,
        "notes": notes,
        "alerts": alerts,
        "can_see_attendance": can_see_attendance,
        "can_read_notes": bool(notes) or request.user.has_perm("iop.read_iop_note"),
    }
    return render(request, "iop/patient.html", context)
