"""The esketamine REMS record: prefilled from the chart, and the 7-day reminder (time passed in)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.charting.factories import NOW, make_session
from tests.charting.rems_world import charted_esketamine

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.charting.models import (
    Discharge,
    RemsRecord,
)
from ketaclinic.apps.charting.rems import mark_submitted, raise_rems_reminders, rems_due
from ketaclinic.apps.treatment.models import Session

pytestmark = pytest.mark.django_db


def discharged_esketamine(clinic, discharged_at: dt.datetime, number: int = 1, course=None):
    """An esketamine session charted in full and discharged at ``discharged_at``."""
    session = charted_esketamine(
        clinic,
        discharged_at - dt.timedelta(minutes=130),
        vitals=((0, (130, 80)), (38, (156, 92)), (44, (150, 90)), (125, (132, 82))),
        heart_rate=78,
        moaas=((40, 4),),
        number=number,
        course=course,
    )
    Discharge.objects.create(
        session=session,
        ready=True,
        observed_minutes=130,
        dissociation_resolved=True,
        escort_confirmed=True,
        instruction="Do not drive",
        instruction_given=True,
        discharged_by=clinic.nurse,
        discharged_at=discharged_at,
    )
    Session.objects.filter(pk=session.pk).update(status="discharged", discharged_at=discharged_at)
    session.refresh_from_db()
    return session


def test_the_form_is_prefilled_from_the_chart(client, clinic, fixed_clock):
    session = discharged_esketamine(clinic, NOW - dt.timedelta(hours=1))
    client.force_login(clinic.nurse)
    response = client.get(reverse("charting:rems", args=[session.pk]))
    initial = response.context["form"].initial
    assert initial["dose_mg"] == Decimal("56")
    assert initial["lot"] == "ESK-778"
    assert initial["monitoring_minutes"] == 130
    assert (initial["bp_before_systolic"], initial["bp_before_diastolic"]) == (128, 80)
    # Nearest to minute 40 within 30-50: minute 38 (2 away) beats minute 44 (4 away).
    assert (initial["bp_40min_systolic"], initial["bp_40min_diastolic"]) == (156, 92)
    assert (initial["bp_discharge_systolic"], initial["bp_discharge_diastolic"]) == (132, 82)
    assert initial["sedation"] is True  # MOAA/S 4 < 5
    assert initial["dissociation"] is False
    assert initial["respiratory_status"] == "normal"


def test_saving_and_marking_submitted_closes_the_reminder(client, clinic, fixed_clock):
    session = discharged_esketamine(clinic, NOW - dt.timedelta(days=6))
    assert raise_rems_reminders(NOW) == 1
    client.force_login(clinic.nurse)
    form = client.get(reverse("charting:rems", args=[session.pk])).context["form"]
    data = {
        k: ("on" if v is True else "" if v in (None, False) else v) for k, v in form.initial.items()
    }
    saved = client.post(reverse("charting:rems", args=[session.pk]), data)
    assert saved.status_code == 302, saved.context["form"].errors
    record = RemsRecord.objects.get()
    client.post(reverse("charting:rems-submitted", args=[session.pk]), {"reference": "R-1"})
    record.refresh_from_db()
    assert record.submitted_by == clinic.nurse
    assert record.submission_reference == "R-1"
    alert = Alert.objects.get(kind=AlertKind.REMS_DUE)
    assert alert.acknowledged_by == clinic.nurse
    assert rems_due(NOW) == []
    again = client.post(reverse("charting:rems", args=[session.pk]), data)
    assert "cannot change" in again.content.decode()


@pytest.mark.parametrize(
    ("days_ago", "due", "overdue"),
    [
        # The window is 7 days; reminders start 2 days before it closes (day 5).
        (dt.timedelta(days=4, hours=23), False, False),
        (dt.timedelta(days=5), True, False),
        (dt.timedelta(days=6, hours=23), True, False),
        (dt.timedelta(days=7), True, True),
        (dt.timedelta(days=30), True, True),
    ],
)
def test_rems_due_on_each_side_of_the_reminder_and_the_deadline(
    clinic, fixed_clock, days_ago, due, overdue
):
    session = discharged_esketamine(clinic, NOW - days_ago)
    found = rems_due(NOW)
    assert [d.session.pk for d in found] == ([session.pk] if due else [])
    if due:
        assert found[0].overdue is overdue
        assert found[0].due_at == session.discharged_at + dt.timedelta(days=7)


def test_a_submitted_record_or_another_route_is_never_due(clinic, fixed_clock):
    session = discharged_esketamine(clinic, NOW - dt.timedelta(days=8))
    iv = make_session(clinic, number=9)
    Session.objects.filter(pk=iv.pk).update(
        status="discharged", discharged_at=NOW - dt.timedelta(days=8)
    )
    assert [d.session.pk for d in rems_due(NOW)] == [session.pk]
    record = RemsRecord.objects.create(
        session=session,
        dose_mg=Decimal("56"),
        lot="ESK-778",
        monitoring_minutes=130,
        bp_before_systolic=128,
        bp_before_diastolic=80,
        sedation=False,
        dissociation=False,
        respiratory_status="normal",
        prepared_by=clinic.nurse,
        prepared_at=NOW,
    )
    assert [d.session.pk for d in rems_due(NOW)] == [session.pk]  # saved, not submitted
    mark_submitted(record, reference="", user=clinic.nurse, request=None)
    assert rems_due(NOW) == []


def test_reminders_are_raised_once_urgent_when_overdue(clinic, fixed_clock):
    soon = discharged_esketamine(clinic, NOW - dt.timedelta(days=5, hours=1))
    late = discharged_esketamine(clinic, NOW - dt.timedelta(days=9), number=2, course=soon.course)
    assert raise_rems_reminders(NOW) == 2
    assert raise_rems_reminders(NOW + dt.timedelta(hours=1)) == 0
    levels = dict(Alert.objects.values_list("source_id", "level"))
    assert levels == {str(soon.pk): AlertLevel.WARNING, str(late.pk): AlertLevel.URGENT}
    assert set(Alert.objects.values_list("assigned_to", flat=True)) == {clinic.prescriber.pk}


def test_the_reminder_command_uses_the_clock(clinic, fixed_clock, capsys):
    discharged_esketamine(clinic, NOW - dt.timedelta(days=6))
    call_command("rems_reminders")
    assert "1 REMS reminder(s) raised" in capsys.readouterr().out


def test_a_rems_record_is_not_for_an_iv_session(client, clinic, fixed_clock):
    session = make_session(clinic)
    client.force_login(clinic.nurse)
    assert client.get(reverse("charting:rems", args=[session.pk])).status_code == 404
