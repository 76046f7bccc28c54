"""An IOP group at Riverside led by Theo the therapist, enrolments and sessions for tests.

The fixed clock is Tuesday 2026-03-10 14:00 UTC (10:00 at Riverside); the group meets on
Mondays, Tuesdays and Thursdays for 180 minutes (9 hours a week).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketaclinic.apps.iop.choices import GroupStatus, SessionStatus
from ketaclinic.apps.iop.models import GroupSession, IopEnrolment, IopGroup

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)


def make_group(clinic, site=None, *, facilitators=None, **overrides) -> IopGroup:
    values = {
        "site": site or clinic.site_a,
        "name": "Depression IOP",
        "focus": "depression",
        "population": "adult",
        "meeting_weekdays": [0, 1, 3],
        "session_starts_at": dt.time(17, 30),
        "session_minutes": 180,
        "capacity": 8,
        "starts_on": dt.date(2026, 2, 2),
        "status": GroupStatus.ACTIVE,
        "created_at": NOW,
    }
    values.update(overrides)
    group = IopGroup.objects.create(**values)
    group.facilitators.set(facilitators if facilitators is not None else [clinic.therapist])
    return group


def enrol(group, patient, by, starts_on=dt.date(2026, 2, 2), hours="9") -> IopEnrolment:
    return IopEnrolment.objects.create(
        group=group,
        patient=patient,
        starts_on=starts_on,
        planned_hours_per_week=Decimal(hours),
        enrolled_by=by,
        created_at=NOW,
    )


def make_session(group, held_on=dt.date(2026, 3, 9), *, facilitator=None, minutes=180):
    return GroupSession.objects.create(
        group=group,
        held_on=held_on,
        starts_at=group.session_starts_at,
        duration_minutes=minutes,
        topic="Behavioural activation",
        facilitator=facilitator or group.facilitators.first(),
        status=SessionStatus.PLANNED,
    )
