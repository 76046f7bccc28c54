"""The demo clinic's assessments: believable trajectories, scored by the core, and every
alert flag with its alert."""

from __future__ import annotations

import random
from collections import defaultdict

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.demo.assessments import _items, _qids_answers, create_assessments
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.clinical.scales import score


def test_drawn_answers_add_up_to_the_total_within_each_items_range():
    rng = random.Random(1)
    for total in (0, 5, 17, 27):
        answers = _items(rng, total, 9, 3, skip=8)
        assert sum(answers) == total if total <= 24 else sum(answers) == 24
        assert answers[8] == 0
        assert max(answers) <= 3
    for total in (0, 9, 16, 24):
        assert score("qids_sr16", _qids_answers(rng, total)).total == total


def test_the_demo_tells_every_story_scored_by_the_core_with_an_alert_per_flag(db, fixed_clock):
    seed_demo_clinic(patient_count=60, seed=4)
    phq9 = defaultdict(list)
    rows = list(Assessment.objects.order_by("taken_at", "id"))
    for row in rows:
        assert score(row.instrument, row.answers).total == row.total
        assert row.taken_at <= fixed_clock.now()
        if row.instrument == "phq9":
            phq9[row.patient_id].append(row.total)
    assert {"phq9", "gad7"} <= {row.instrument for row in rows}
    assert len(phq9) >= 20
    ratios = [totals[-1] / totals[0] for totals in phq9.values() if len(totals) > 3]
    assert any(r <= 0.5 for r in ratios), "some respond"
    assert any(r > 0.75 for r in ratios), "some do not"
    assert any(t[1] <= t[0] * 0.6 for t in phq9.values() if len(t) > 3), "some respond fast"
    flagged = set(Assessment.objects.filter(has_alert=True).values_list("id", flat=True))
    alerts = Alert.objects.filter(source_type="assessment")
    assert flagged
    assert sorted(alerts.values_list("source_id", flat=True)) == sorted(str(pk) for pk in flagged)
    assert 1 <= alerts.filter(acknowledged_at__isnull=True).count() <= 5


def test_without_demo_sessions_the_dates_are_laid_out_from_today(clinic, fixed_clock):
    created = create_assessments({"director": clinic.director}, random.Random(3), fixed_clock.now())
    rows = list(Assessment.objects.all())
    assert created == len(rows) > 0  # Random(3) gives Alice or Bob a course
    assert all(row.taken_at <= fixed_clock.now() for row in rows)
