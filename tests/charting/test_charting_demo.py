"""The demo's session charts: believable, consistent with the rules, and quick to make."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict

import pytest

from ketaclinic.apps.charting.models import (
    Administration,
    AdverseEvent,
    Discharge,
    ScaleEntry,
    VitalSign,
)
from ketaclinic.apps.charting.observing import assess_session
from ketaclinic.apps.demo.charting import discharged_dosing_sessions
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.clinical.monitoring import InSessionAction

pytestmark = pytest.mark.django_db


def test_the_demo_charts_every_discharged_clinic_dose_believably():
    seed_demo_clinic(patient_count=60, seed=11)
    every_discharged_clinic_dose_has_a_chart()
    vitals_come_every_5_to_10_minutes_and_peak_around_40()
    no_demo_session_trips_an_in_session_alarm()
    adverse_events_are_occasional_and_overrides_give_reasons()


def every_discharged_clinic_dose_has_a_chart():
    sessions = list(discharged_dosing_sessions())
    assert sessions
    charted = set(Discharge.objects.values_list("session_id", flat=True))
    assert charted == {s.pk for s in sessions}
    assert Administration.objects.count() == len(sessions)


def vitals_come_every_5_to_10_minutes_and_peak_around_40():
    by_session = defaultdict(list)
    for v in VitalSign.objects.select_related("session").order_by("session_id", "taken_at"):
        by_session[v.session_id].append(v)
    peaks = []
    for readings in by_session.values():
        start = readings[0].session.dose_started_at
        gaps = [
            (b.taken_at - a.taken_at).total_seconds() / 60 for a, b in itertools.pairwise(readings)
        ]
        assert all(5 <= gap <= 10 for gap in gaps)
        highest = max(readings, key=lambda v: v.bp_systolic)
        peaks.append((highest.taken_at - start).total_seconds() / 60)
    # Noise moves single peaks; the middle of them sits around minute 40.
    assert 25 <= statistics.median(peaks) <= 55


def no_demo_session_trips_an_in_session_alarm():
    administrations = {a.session_id: a for a in Administration.objects.all()}
    vitals, scales = defaultdict(list), defaultdict(list)
    for v in VitalSign.objects.all():
        vitals[v.session_id].append(v)
    for s in ScaleEntry.objects.all():
        scales[s.session_id].append(s)
    for session_id, given in administrations.items():
        assessment = assess_session(given, vitals[session_id], scales[session_id])
        assert assessment.action in (InSessionAction.CONTINUE, InSessionAction.RECHECK)


def adverse_events_are_occasional_and_overrides_give_reasons():
    sessions = Discharge.objects.count()
    nausea = AdverseEvent.objects.filter(kind="nausea").count()
    assert nausea / sessions < 0.2
    for d in Discharge.objects.filter(ready=False):
        assert d.override_reason
        assert d.reasons
    for d in Discharge.objects.filter(ready=True):
        assert d.reasons == []
