"""Storing assessments: scored only by the core, corrected without editing, audited, and
every alert flag turned into exactly one urgent alert for the right clinician."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.assessments.conftest import ALERT_TRIGGERS, baseline_answers

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import acknowledge_alert, alerts_for
from ketaclinic.apps.assessments.choices import AssessmentSource
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.recording import (
    ALERT_KIND_BY_FLAG,
    AlreadyCorrected,
    correct_assessment,
    prescriber_for,
    record_assessment,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AppendOnlyError, AuditEvent
from ketaclinic.clinical.exceptions import InputError, MissingItem
from ketaclinic.clinical.scales import FlagLevel, alert_rules, score

TAKEN = dt.datetime(2026, 3, 10, 13, 0, tzinfo=dt.UTC)


def enter(clinic, scale_id="phq9", user=None, **overrides):
    return record_assessment(
        patient=clinic.alice,
        instrument=scale_id,
        answers=baseline_answers(scale_id, **overrides),
        taken_at=TAKEN,
        entered_by=user or clinic.nurse,
    )


def test_the_alert_trigger_table_covers_every_alert_rule_of_the_core():
    rules = {(r.scale, r.condition) for r in alert_rules() if r.level is FlagLevel.ALERT}
    assert set(ALERT_TRIGGERS) == rules


def test_every_alert_flag_code_has_an_alert_kind():
    codes = {r.code for r in alert_rules() if r.level is FlagLevel.ALERT}
    assert codes <= set(ALERT_KIND_BY_FLAG)


def test_a_phq9_is_stored_exactly_as_the_core_scored_it(clinic, fixed_clock):
    answers = {"item1": 2, "item2": 3, "item3": 1, "item4": 2, "item5": 0, "item6": 1}
    answers |= {"item7": 2, "item8": 0, "item9": 0, "item10": 1}
    assessment = record_assessment(
        patient=clinic.alice,
        instrument="phq9",
        answers=answers,
        taken_at=TAKEN,
        entered_by=clinic.nurse,
    )
    # 2+3+1+2+0+1+2+0+0 = 11 (item 10 is recorded, not scored): moderate, >= 10 cut-off.
    assert (assessment.total, assessment.max_total, assessment.band) == (11, 27, "moderate")
    assert assessment.answers == answers
    assert assessment.indicators == {"major_depression_cutoff": True}
    assert assessment.flags == []
    assert assessment.site_id == clinic.site_a.pk
    assert assessment.instrument_version == score("phq9", answers).version
    assert assessment.source == AssessmentSource.CLINICIAN
    assert Alert.objects.count() == 0


def test_bad_answers_store_nothing_and_name_the_item(clinic, fixed_clock):
    answers = baseline_answers("phq9")
    del answers["item4"]
    with pytest.raises(MissingItem) as caught:
        record_assessment(
            patient=clinic.alice,
            instrument="phq9",
            answers=answers,
            taken_at=TAKEN,
            entered_by=clinic.nurse,
        )
    assert caught.value.field == "item4"
    assert Assessment.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="assessment").exists()


def test_a_naive_time_or_another_patients_session_is_refused(clinic, fixed_clock, alice_course):
    from ketaclinic.apps.treatment.models import Course, Session

    with pytest.raises(InputError, match="time zone"):
        record_assessment(
            patient=clinic.alice,
            instrument="gad7",
            answers=baseline_answers("gad7"),
            taken_at=dt.datetime(2026, 3, 10, 9, 0),
            entered_by=clinic.nurse,
        )
    bob_course = Course.objects.create(
        patient=clinic.bob,
        site=clinic.site_b,
        protocol_id="x",
        route="iv",
        prescriber=clinic.prescriber,
        starts_on=dt.date(2026, 2, 1),
    )
    bobs = Session.objects.create(
        course=bob_course, patient=clinic.bob, site=clinic.site_b, number=1, planned_start=TAKEN
    )
    with pytest.raises(InputError) as caught:
        record_assessment(
            patient=clinic.alice,
            instrument="gad7",
            answers=baseline_answers("gad7"),
            taken_at=TAKEN,
            entered_by=clinic.nurse,
            session=bobs,
        )
    assert caught.value.field == "session_id"


def test_entering_is_audited_in_the_same_transaction(clinic, fixed_clock):
    assessment = enter(clinic, "gad7")
    event = AuditEvent.objects.get(object_type="assessment", object_id=str(assessment.pk))
    assert (event.action, event.actor, event.patient) == (
        Action.CREATE,
        clinic.nurse,
        clinic.alice,
    )
    assert event.detail == {"instrument": "gad7", "alert": False}


def test_a_self_report_is_audited_as_a_submission_without_an_actor(clinic, fixed_clock):
    assessment = record_assessment(
        patient=clinic.alice,
        instrument="gad7",
        answers=baseline_answers("gad7"),
        taken_at=TAKEN,
    )
    assert assessment.source == AssessmentSource.SELF_REPORT
    event = AuditEvent.objects.get(object_type="assessment", object_id=str(assessment.pk))
    assert (event.action, event.actor) == (Action.SUBMIT, None)


def test_assessments_are_append_only(clinic, fixed_clock):
    assessment = enter(clinic)
    assessment.total = 3
    with pytest.raises(AppendOnlyError):
        assessment.save()
    with pytest.raises(AppendOnlyError):
        Assessment.objects.filter(pk=assessment.pk).update(total=3)
    with pytest.raises(AppendOnlyError):
        assessment.delete()


def test_a_correction_is_a_new_assessment_and_the_original_stays_superseded(clinic, fixed_clock):
    original = enter(clinic, item1=3)
    correction = correct_assessment(
        original,
        answers=baseline_answers("phq9", item1=1),
        reason="Item 1 transcribed wrongly",
        entered_by=clinic.prescriber,
    )
    original.refresh_from_db()
    assert (original.total, correction.total) == (3, 1)
    assert correction.corrects == original
    assert original.superseded_by == correction
    assert list(Assessment.objects.current()) == [correction]
    assert correction.taken_at == original.taken_at
    assert correction.correction_reason == "Item 1 transcribed wrongly"
    event = AuditEvent.objects.get(action=Action.CORRECT)
    assert event.detail == {"corrects": original.pk, "instrument": "phq9"}
    assert event.object_id == str(correction.pk)


def test_a_version_is_corrected_once_and_a_reason_is_required(clinic, fixed_clock):
    original = enter(clinic)
    with pytest.raises(InputError) as caught:
        correct_assessment(
            original, answers=baseline_answers("phq9"), reason="  ", entered_by=clinic.nurse
        )
    assert caught.value.field == "reason"
    correct_assessment(
        original, answers=baseline_answers("phq9"), reason="r", entered_by=clinic.nurse
    )
    with pytest.raises(AlreadyCorrected):
        correct_assessment(
            original, answers=baseline_answers("phq9"), reason="r2", entered_by=clinic.nurse
        )


@pytest.mark.parametrize(("rule", "trigger"), list(ALERT_TRIGGERS.items()), ids=str)
def test_every_alert_rule_raises_exactly_one_urgent_alert(
    clinic, fixed_clock, alice_course, rule, trigger
):
    scale_id, _condition = rule
    assessment = enter(clinic, scale_id, user=clinic.nurse, **trigger)
    alert = Alert.objects.get()
    assert (alert.source_type, alert.source_id) == ("assessment", str(assessment.pk))
    assert alert.level == AlertLevel.URGENT
    expected_kind = AlertKind.ADVERSE_EVENT if scale_id == "moaas" else AlertKind.SUICIDAL_IDEATION
    assert alert.kind == expected_kind
    assert alert.assigned_to == clinic.prescriber
    assert alert.patient == clinic.alice
    assert assessment.has_alert


def test_warning_flags_are_kept_but_raise_no_alert(clinic, fixed_clock):
    madrs = enter(clinic, "madrs", item10=2)
    cssrs = enter(clinic, "cssrs_screen", item1=1)
    assert [f["code"] for f in madrs.flags] == ["suicidal_thoughts"]
    assert [f["level"] for f in cssrs.flags] == ["warning"]
    assert Alert.objects.count() == 0


def test_the_alert_names_the_instrument_and_the_item(clinic, fixed_clock):
    enter(clinic, "phq9", item9=2)
    enter(clinic, "cssrs_screen", item6=1, item6_recent=1)
    titles = set(Alert.objects.values_list("title", flat=True))
    assert titles == {"PHQ-9 item 9 answered 2", "C-SSRS Screen item 7 answered 1: high risk"}


def test_without_an_active_course_the_alert_goes_to_every_prescriber_at_the_site(
    clinic, fixed_clock
):
    assert prescriber_for(clinic.alice) is None
    enter(clinic, item9=1)
    alert = Alert.objects.get()
    assert alert.assigned_to is None
    assert alert in alerts_for(clinic.prescriber)
    assert alert in alerts_for(clinic.director)
    assert alert not in alerts_for(clinic.nurse_b)


def test_the_latest_active_or_planned_course_decides_the_prescriber(
    clinic, fixed_clock, alice_course
):
    from tests.personas import make_user

    from ketaclinic.apps.treatment.models import Course

    petra = make_user("petra", "prescriber", [clinic.site_a])
    Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="old",
        route="iv",
        status="completed",
        prescriber=petra,
        starts_on=dt.date(2026, 3, 1),
    )
    assert prescriber_for(clinic.alice) == clinic.prescriber
    Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="next",
        route="esketamine",
        status="planned",
        prescriber=petra,
        starts_on=dt.date(2026, 3, 20),
    )
    assert prescriber_for(clinic.alice) == petra


def test_an_alert_stays_open_until_acknowledged_with_a_note(clinic, fixed_clock, alice_course):
    enter(clinic, item9=3)
    alert = alerts_for(clinic.prescriber).get()
    assert alert.is_open
    acknowledge_alert(alert, user=clinic.prescriber, note="Called; safety plan.", request=None)
    assert not alerts_for(clinic.prescriber).filter(acknowledged_at__isnull=True).exists()


def test_a_correction_with_a_positive_safety_item_raises_its_own_alert(clinic, fixed_clock):
    original = enter(clinic, item9=0)
    correct_assessment(
        original,
        answers=baseline_answers("phq9", item9=1),
        reason="Item 9 was 1 on paper",
        entered_by=clinic.nurse,
    )
    assert list(Alert.objects.values_list("title", flat=True)) == [
        "PHQ-9 item 9 answered 1 (correction)"
    ]
