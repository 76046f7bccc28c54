"""Treatment on other apps' pages: today's sessions on the home page, the chart's section."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.db.models import Count, Q

from ketaclinic.apps.accounts.scoping import sites_for
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Course, Screening, Session
from ketaclinic.apps.treatment.schedule_grid import day_bounds
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.prepared_query import PreparedQuery

register = template.Library()

TODAY_LIMIT = 40


@register.inclusion_tag("treatment/_today.html", takes_context=True)
def todays_sessions(context: template.Context) -> dict:
    """Today's sessions at the user's sites (each site's own today), earliest first."""
    user = context["user"]
    if not user.has_perm("treatment.view_session"):
        return {"show": False}
    sites = list(sites_for(user, "treatment.view_session"))
    if not sites:
        return {"show": False}
    window = Q()
    for site in sites:
        start, end = day_bounds(clock.today(site.timezone), site.timezone)
        window |= Q(site=site, planned_start__gte=start, planned_start__lt=end)
    sessions = list(
        Session.objects.filter(window)
        .select_related("patient", "course", "site")
        .order_by("planned_start", "chair", "id")[: TODAY_LIMIT + 1]
    )
    return {
        "show": True,
        "sessions": sessions[:TODAY_LIMIT],
        "more": len(sessions) > TODAY_LIMIT,
        "multi_site": len(sites) > 1,
    }


# The chart section's rows by patient id, compiled once per database (``PreparedQuery``).
# The course counts are a second query because ``instances`` fills model fields only.
CHART_SCREENINGS = PreparedQuery(
    lambda patient_id: Screening.objects.filter(patient_id=patient_id).select_related("signed_by")[
        :5
    ]
)
CHART_COURSES = PreparedQuery(
    lambda patient_id: Course.objects.filter(patient_id=patient_id).order_by("-starts_on", "-id")[
        :5
    ]
)
CHART_COURSE_COUNTS = PreparedQuery(
    lambda patient_id: (
        Course.objects.filter(patient_id=patient_id)
        .annotate(
            done=Count("sessions", filter=Q(sessions__status=SessionStatus.DISCHARGED)),
            total=Count("sessions"),
        )
        .order_by("-starts_on", "-id")
        .values_list("pk", "done", "total")[:5]
    )
)

# Every planned session of the patient, earliest first; the next one is the first not yet
# started by the clock. Filtering by the clock in SQL would put a second varying value in
# the query, which a ``PreparedQuery`` cannot bind; a patient has a handful of planned ones.
CHART_PLANNED_SESSIONS = PreparedQuery(
    lambda patient_id: Session.objects.filter(
        patient_id=patient_id, status=SessionStatus.PLANNED
    ).order_by("planned_start", "id")
)


@register.inclusion_tag("treatment/_patient_treatment.html", takes_context=True)
def patient_treatment(context: template.Context, patient) -> dict:
    """The chart's Treatment section: screenings, courses, the next session."""
    user = context["user"]
    if not user.has_perm("treatment.view_course"):
        return {"show": False}
    screenings = CHART_SCREENINGS.instances(patient.pk)
    courses = CHART_COURSES.instances(patient.pk)
    counts = {pk: (done, total) for pk, done, total in CHART_COURSE_COUNTS.rows(patient.pk)}
    for course in courses:
        course.done, course.total = counts.get(course.pk, (0, 0))
    now = clock.now()
    next_session = next(
        (s for s in CHART_PLANNED_SESSIONS.instances(patient.pk) if s.planned_start >= now), None
    )
    return {
        "show": True,
        "patient": patient,
        "screenings": screenings,
        "courses": courses,
        "next_session": next_session,
        "tz": patient.site.timezone,
        "can_screen": user.has_perm("treatment.add_screening"),
    }


@register.filter
def join_if_list(value: object) -> object:
    """A stored list of inputs (conditions, medications) as text; "none" when empty."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return value


@register.filter
def plain_number(value: object) -> object:
    """A Decimal without trailing zeros or exponent: 0.500 -> 0.5, 100.00 -> 100."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value
