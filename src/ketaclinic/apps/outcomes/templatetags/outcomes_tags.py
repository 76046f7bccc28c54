"""``{% patient_outcomes patient %}``: the outcome summary on the patient chart.

An inclusion tag, so the chart needs one ``{% include %}`` and no change to its view; two
queries (rows, weekly scores) and the audit event of the read, whatever the history.
"""

from __future__ import annotations

from typing import Any

from django import template

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.outcomes.patient import patient_outcomes as summaries

register = template.Library()


@register.inclusion_tag("outcomes/_patient_outcomes.html", takes_context=True)
def patient_outcomes(context: template.Context, patient: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (user and user.has_perm("outcomes.view_courseoutcome")):
        return {"can_view": False}
    courses = summaries(patient)
    if courses:
        record_event(
            request,
            Action.VIEW,
            object_type="course_outcome",
            object_id=patient.pk,
            patient=patient,
            detail={"courses": [c.row.course_id for c in courses]},
        )
    return {
        "can_view": True,
        "patient": patient,
        "courses": courses,
        "can_print": user.has_perm("outcomes.print_progress_report"),
    }


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def yes_no(flag: dict) -> str:
    if not flag.get("evaluable"):
        return "not evaluable"
    return "yes" if flag.get("met") else "no"


@register.filter
def rate_percent(rate: object) -> str:
    """A published Decimal rate (0.554) as the paper states it (55.4%)."""
    return f"{rate * 100:.1f}%"  # type: ignore[operator]


@register.filter
def measure_label(code: object) -> str:
    return str(code).replace("_", " ")
