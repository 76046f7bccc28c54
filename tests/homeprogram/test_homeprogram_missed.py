"""Missed check-ins: flagged once per planned dose after its day and the grace hours."""

import datetime as dt

import pytest
from django.core.management import call_command
from tests.homeprogram.factories import GOOD_ANSWERS, issue, make_home_course, make_prescription

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.homeprogram.program import flag_missed_check_ins
from ketaclinic.apps.treatment.choices import CourseStatus

pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_a_dose_is_missed_from_the_end_of_the_grace_period(clinic):
    make_prescription(clinic)
    # planned 3 and 7 March; missed from 5 March 00:00 EST (05:00 UTC) and 9 March 00:00
    # (EDT from 8 March: 04:00 UTC)
    assert flag_missed_check_ins(dt.datetime(2026, 3, 5, 4, 59, tzinfo=dt.UTC)) == 0
    assert flag_missed_check_ins(dt.datetime(2026, 3, 5, 5, 0, tzinfo=dt.UTC)) == 1
    assert flag_missed_check_ins(dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)) == 1
    alerts = Alert.objects.order_by("id")
    assert [a.source_id.split(":")[1] for a in alerts] == ["2026-03-03", "2026-03-07"]
    assert {(a.kind, a.assigned_to) for a in alerts} == {
        (AlertKind.MISSED_CHECK_IN, clinic.prescriber)
    }


def test_flagging_twice_raises_nothing_new(clinic):
    make_prescription(clinic)
    as_of = dt.datetime(2026, 3, 10, 14, tzinfo=dt.UTC)
    assert flag_missed_check_ins(as_of) == 2
    assert flag_missed_check_ins(as_of) == 0


def test_a_checked_in_dose_is_not_missed(client, clinic):
    rx = make_prescription(clinic)
    client.post(
        "/home/" + issue(rx, dt.date(2026, 3, 7)).token + "/",
        {**GOOD_ANSWERS},
    )
    assert flag_missed_check_ins(dt.datetime(2026, 3, 10, 14, tzinfo=dt.UTC)) == 1


def test_nothing_is_missed_before_the_first_dose_or_on_a_stopped_course(clinic):
    make_prescription(clinic, first_dose=False)
    stopped = make_home_course(clinic)
    stopped.status = CourseStatus.STOPPED
    stopped.save()
    make_prescription(clinic, course=stopped)
    assert flag_missed_check_ins(dt.datetime(2026, 4, 1, tzinfo=dt.UTC)) == 0


def test_the_management_command_flags_as_of_now(clinic, capsys):
    make_prescription(clinic)
    call_command("flag_missed_check_ins")
    assert "missed check-ins flagged: 2" in capsys.readouterr().out
