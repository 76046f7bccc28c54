"""Were today's pre-session questionnaires done? The assessments app knows.

A self-report assessment taken today (the site's day) or one linked to this session counts;
without one, the nurse's tick on the pre-check form is the answer (e.g. a paper form).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q

from ketaclinic.apps.assessments.choices import AssessmentSource
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock


def todays_self_reports(session: Session) -> list[Assessment]:
    """The patient's self-reports taken today at the site, or linked to this session."""
    timezone = session.patient.site.timezone
    start = dt.datetime.combine(clock.today(timezone), dt.time(0), tzinfo=ZoneInfo(timezone))
    return list(
        Assessment.objects.filter(
            patient_id=session.patient_id, source=AssessmentSource.SELF_REPORT
        )
        .filter(
            Q(taken_at__gte=start, taken_at__lt=start + dt.timedelta(days=1)) | Q(session=session)
        )
        .order_by("taken_at")
    )


def questionnaires_done_today(session: Session) -> bool:
    return bool(todays_self_reports(session))
