"""``{% assessment_section patient %}``: trajectories on the patient chart.

An inclusion tag, so the patient chart needs one ``{% include %}`` and no change to its
view. A fixed number of queries whatever the history's length: one for the scores, one
for the session dates, and the audit event of the read.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from ketaclinic.apps.assessments.charts import ChartPoint, response_threshold, trajectory_svg
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.naming import short_title
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web.prepared_query import PreparedQuery
from ketaclinic.clinical.scales import list_scales, outcome

register = template.Library()

HISTORY_LIMIT = 500

# The section's two queries by patient id, compiled once per database (``PreparedQuery``).
CHART_SCORES = PreparedQuery(
    lambda patient_id: (
        Assessment.objects.current()
        .filter(patient_id=patient_id, total__isnull=False)
        .order_by("taken_at", "id")
        .values_list("instrument", "taken_at", "total", "band_label")[:HISTORY_LIMIT]
    )
)
CHART_SESSION_TIMES = PreparedQuery(
    lambda patient_id: Session.objects.filter(
        patient_id=patient_id, status=SessionStatus.DISCHARGED
    ).values_list("discharged_at", "planned_start")
)


def score_rows(table: list[dict[str, Any]], has_outcome: bool) -> SafeString:
    """The rows of a chart's table of every score, built once here rather than by the template
    engine cell by cell (dates in the active time zone, as the ``date`` filter shows them)."""
    rows = []
    for row in table:
        point = row["point"]
        change = str(row["change"])
        if row["percent"] is not None:
            change += f" ({floatformat(row['percent'], 0)}%)"
        cells = [
            f"{localtime(point.taken_at):%Y-%m-%d}",
            str(point.total),
            escape(point.band_label) if point.band_label else "—",
            change,
        ]
        if has_outcome:
            response = row["response"]
            cells.append("—" if response is None else ("yes" if response else "no"))
            cells.append("yes" if row["remission"] else "no")
        rows.append("<tr><td>" + "</td><td>".join(cells) + "</td></tr>")
    return mark_safe("".join(rows))  # noqa: S308 - numbers, dates and escaped text  # nosec B308 B703


@register.inclusion_tag("assessments/_trajectories.html", takes_context=True)
def assessment_section(context: template.Context, patient: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    can_view = bool(user and user.has_perm("assessments.view_assessment"))
    result = {
        "patient": patient,
        "can_view": can_view,
        "can_add": bool(user and user.has_perm("assessments.add_assessment")),
        "can_send": bool(user and user.has_perm("assessments.add_selfreportlink")),
        "charts": [],
    }
    if not can_view:
        return result
    rows = CHART_SCORES.rows(patient.pk)
    if not rows:
        return result
    sessions = [
        discharged or planned for discharged, planned in CHART_SESSION_TIMES.rows(patient.pk)
    ]
    by_instrument: dict[str, list[ChartPoint]] = defaultdict(list)
    for instrument_id, taken_at, total, band_label in rows:
        by_instrument[instrument_id].append(ChartPoint(taken_at, total, band_label))
    for instrument in list_scales():
        points = by_instrument.get(instrument.id)
        if not points:
            continue
        baseline = points[0].total
        table = []
        for point in points:
            row = {"point": point, "change": point.total - baseline, "percent": None}
            if instrument.outcome is not None:
                judged = outcome(instrument.id, baseline, point.total)
                row.update(
                    percent=judged.percent_change,
                    response=judged.response,
                    remission=judged.remission,
                )
            table.append(row)
        window = [s for s in sessions if points[0].taken_at <= s <= points[-1].taken_at]
        result["charts"].append(
            {
                "instrument": instrument,
                "short_title": short_title(instrument),
                "svg": trajectory_svg(
                    instrument, points, window, chart_id=f"trajectory-{instrument.id}"
                ),
                "rows": score_rows(table, instrument.outcome is not None),
                "baseline": baseline,
                "threshold": response_threshold(instrument, baseline),
                "latest": points[-1],
                "has_outcome": instrument.outcome is not None,
            }
        )
    record_event(
        request,
        Action.VIEW,
        object_type="assessment_trajectory",
        patient=patient,
        detail={"instruments": [chart["instrument"].id for chart in result["charts"]]},
    )
    return result
