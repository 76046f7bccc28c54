"""Were today's pre-session questionnaires done? Asked of the assessments app when present.

The assessments app is built separately; until it exists (or when it holds nothing for
today) the nurse's tick on the pre-check form is the answer.
"""

from __future__ import annotations

from django.apps import apps

from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock


def questionnaires_done_today(session: Session) -> bool:
    if not apps.is_installed("ketaclinic.apps.assessments"):
        return False
    try:
        assessment = apps.get_model("assessments", "Assessment")
    except LookupError:
        return False
    field_names = {f.name for f in assessment._meta.get_fields()}
    time_field = next(
        (n for n in ("taken_at", "completed_at", "submitted_at") if n in field_names), None
    )
    if "patient" not in field_names or time_field is None:
        return False
    today = clock.today(session.patient.site.timezone)
    return assessment.objects.filter(
        patient=session.patient, **{f"{time_field}__date": today}
    ).exists()
