"""The demo's IOP: groups with rosters of patients on a ketamine course, sessions with
attendance, a week under the minimum, two unexcused absences with their alert, notes."""

from __future__ import annotations

import pytest

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.iop.models import Attendance, IopEnrolment, IopGroup, IopNote
from ketaclinic.apps.iop.program import ABSENCE_SOURCE, weekly_hours_for
from ketaclinic.apps.web import clock

pytestmark = pytest.mark.django_db


def test_the_demo_runs_iop_groups_with_their_stories():
    seed_demo_clinic(patient_count=60, seed=11)
    groups = list(IopGroup.objects.select_related("site"))
    assert len(groups) == 2
    assert all(g.facilitators.filter(username="therapist").exists() for g in groups)
    enrolments = list(IopEnrolment.objects.select_related("group", "patient"))
    assert len(enrolments) >= 6
    assert all(e.patient.site_id == e.group.site_id for e in enrolments)
    assert Attendance.objects.filter(status="absent_unexcused").exists()
    assert IopNote.objects.exists()
    alerts = Alert.objects.filter(source_type=ABSENCE_SOURCE)
    assert alerts.count() == 1
    today = clock.today(groups[0].site.timezone)
    weeks = weekly_hours_for(enrolments, as_of=today)
    flagged = [w for ws in weeks.values() for w in ws if w.below_minimum]
    assert flagged, "the demo shows at least one week under the minimum"
    finished = [w for ws in weeks.values() for w in ws if w.complete]
    assert len(flagged) < len(finished) / 3, "most weeks meet the minimum"
