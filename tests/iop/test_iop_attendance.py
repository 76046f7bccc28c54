"""Taking attendance: the whole roster in one form, minutes attended from late arrivals and
early departures, hours a week against the plan and the 9-hour minimum, two unexcused
absences in a row alerting the care team, field errors on the page and in the API, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.iop.factories import enrol, make_session
from tests.personas import make_patient

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.iop.models import Attendance
from ketaclinic.apps.iop.program import ABSENCE_SOURCE, weekly_hours_for
from ketaclinic.apps.treatment.models import Course

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def carol(clinic, group):
    patient = make_patient(clinic.site_a, "K000002", "Carol", "Nguyen", dt.date(1990, 1, 1))
    return enrol(group, patient, clinic.front_desk)


def sheet(**lines):
    data = {}
    for pk, (status, late, early) in lines.items():
        data[f"status-{pk.removeprefix('e')}"] = status
        data[f"late-{pk.removeprefix('e')}"] = late
        data[f"early-{pk.removeprefix('e')}"] = early
    return data


def test_the_facilitator_records_the_whole_roster_at_once(
    client, clinic, session, enrolment, carol
):
    client.force_login(clinic.therapist)
    data = sheet(**{f"e{enrolment.pk}": ("late", "20", ""), f"e{carol.pk}": ("present", "", "")})
    response = client.post(reverse("iop:session", args=[session.pk]), data)
    assert response.status_code == 302
    lines = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    assert lines[enrolment.pk].attended_minutes == 160  # 180 - 20 late
    assert lines[carol.pk].attended_minutes == 180
    session.refresh_from_db()
    assert session.status == "held"
    page = client.get(reverse("iop:session", args=[session.pk]))
    hours = {line["enrolment"].pk: line["week"].attended_hours for line in page.context["lines"]}
    assert hours == {enrolment.pk: Decimal("2.7"), carol.pk: Decimal("3.0")}
    events = AuditEvent.objects.filter(object_type="iop_attendance", action="create")
    assert sorted(e.patient_id for e in events) == sorted([clinic.alice.pk, carol.patient_id])


def test_a_bad_line_saves_nothing_and_names_the_field(client, clinic, session, enrolment, carol):
    client.force_login(clinic.therapist)
    data = sheet(**{f"e{enrolment.pk}": ("late", "", ""), f"e{carol.pk}": ("present", "abc", "")})
    response = client.post(reverse("iop:session", args=[session.pk]), data)
    assert response.status_code == 422
    errors = {line["enrolment"].pk: line["errors"] for line in response.context["lines"]}
    assert errors[carol.pk] == {"late_minutes": "A whole number of minutes."}
    assert not Attendance.objects.exists()
    # Typing fixed, the rule's error now shows for Alice (late without minutes).
    data[f"late-{carol.pk}"] = ""
    response = client.post(reverse("iop:session", args=[session.pk]), data)
    assert response.status_code == 422
    errors = {line["enrolment"].pk: line["errors"] for line in response.context["lines"]}
    assert errors[enrolment.pk] == {"late_minutes": "say how many minutes late"}
    assert b"say how many minutes late" in response.content
    assert not Attendance.objects.exists()


def test_a_missing_status_is_an_error_on_that_line(client, clinic, session, enrolment):
    client.force_login(clinic.therapist)
    response = client.post(reverse("iop:session", args=[session.pk]), {})
    assert response.status_code == 422
    assert response.context["lines"][0]["errors"] == {"status": "Choose how the patient attended."}


def test_recording_again_replaces_the_line_and_audits_an_update(client, clinic, session, enrolment):
    client.force_login(clinic.therapist)
    url = reverse("iop:session", args=[session.pk])
    client.post(url, {f"status-{enrolment.pk}": "present"})
    client.post(url, {f"status-{enrolment.pk}": "left_early", f"early-{enrolment.pk}": "60"})
    line = Attendance.objects.get(session=session)
    assert (line.status, line.attended_minutes) == ("left_early", 120)
    assert AuditEvent.objects.filter(object_type="iop_attendance", action="update").count() == 1


def test_a_future_session_takes_no_attendance(client, clinic, group, enrolment):
    later = make_session(group, dt.date(2026, 3, 12))
    client.force_login(clinic.therapist)
    response = client.post(reverse("iop:session", args=[later.pk]), {})
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_two_unexcused_absences_in_a_row_alert_the_prescriber_once(
    client, clinic, group, enrolment
):
    course = Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="iv-racemic-induction",
        route="iv",
        status="active",
        prescriber=clinic.prescriber,
        starts_on=dt.date(2026, 2, 1),
    )
    thursday = make_session(group, dt.date(2026, 3, 5))
    monday = make_session(group, dt.date(2026, 3, 9))
    client.force_login(clinic.therapist)
    absent = {f"status-{enrolment.pk}": "absent_unexcused"}
    client.post(reverse("iop:session", args=[thursday.pk]), absent)
    assert not Alert.objects.filter(source_type=ABSENCE_SOURCE).exists()
    client.post(reverse("iop:session", args=[monday.pk]), absent)
    alert = Alert.objects.get(source_type=ABSENCE_SOURCE)
    assert alert.patient == clinic.alice
    assert alert.kind == AlertKind.IOP_ABSENCES
    assert alert.assigned_to == course.prescriber
    assert "2 unexcused IOP absences in a row" in alert.title
    client.post(reverse("iop:session", args=[monday.pk]), absent)  # saved again
    assert Alert.objects.filter(source_type=ABSENCE_SOURCE).count() == 1
    client.force_login(clinic.prescriber)
    page = client.get(reverse("iop:patient", args=[clinic.alice.pk]))
    assert page.context["alerts"] == [alert]


def test_an_excused_absence_does_not_alert(client, clinic, group, enrolment):
    first = make_session(group, dt.date(2026, 3, 5))
    second = make_session(group, dt.date(2026, 3, 9))
    client.force_login(clinic.therapist)
    client.post(
        reverse("iop:session", args=[first.pk]), {f"status-{enrolment.pk}": "absent_unexcused"}
    )
    client.post(
        reverse("iop:session", args=[second.pk]), {f"status-{enrolment.pk}": "absent_excused"}
    )
    assert not Alert.objects.filter(source_type=ABSENCE_SOURCE).exists()


def test_a_week_under_nine_hours_is_flagged_on_the_group_page(client, clinic, group, enrolment):
    # Week of 2 March: Monday and Thursday attended, Tuesday missed (excused): 6 h < 9 h.
    for day, status in ((2, "present"), (3, "absent_excused"), (5, "present")):
        session = make_session(group, dt.date(2026, 3, day))
        Attendance.objects.create(
            session=session,
            enrolment=enrolment,
            status=status,
            attended_minutes=180 if status == "present" else 0,
            recorded_by=clinic.therapist,
            recorded_at=session.held_on and dt.datetime(2026, 3, day, 23, tzinfo=dt.UTC),
        )
    weeks = weekly_hours_for([enrolment], as_of=dt.date(2026, 3, 10))
    last_week = next(w for w in weeks[enrolment.pk] if w.starts_on == dt.date(2026, 3, 2))
    assert last_week.attended_hours == Decimal("6.0")
    assert last_week.below_minimum
    client.force_login(clinic.nurse)
    page = client.get(reverse("iop:group", args=[group.pk]))
    assert b"below min" in page.content


def test_the_api_records_attendance_and_returns_hours(client, clinic, session, enrolment, carol):
    client.force_login(clinic.therapist)
    response = client.post(
        f"/api/v1/iop/sessions/{session.pk}/attendance",
        {
            "records": [
                {"enrolment_id": enrolment.pk, "status": "left_early", "left_early_minutes": 30},
                {"enrolment_id": carol.pk, "status": "absent_excused"},
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["recorded"] == 2
    assert body["hours_this_week"] == {str(enrolment.pk): "2.5", str(carol.pk): "0.0"}


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"status": "late"}, "records.0.late_minutes"),
        ({"status": "asleep"}, "records.0.status"),
        ({"status": "present", "left_early_minutes": 10}, "records.0.left_early_minutes"),
        ({"status": "late", "late_minutes": 200}, "records.0.late_minutes"),
    ],
)
def test_the_api_refuses_a_bad_line_with_422_naming_it(
    client, clinic, session, enrolment, record, field
):
    client.force_login(clinic.therapist)
    response = client.post(
        f"/api/v1/iop/sessions/{session.pk}/attendance",
        {"records": [{"enrolment_id": enrolment.pk, **record}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Attendance.objects.exists()


def test_the_api_refuses_a_patient_not_on_the_roster(client, clinic, session, enrolment):
    client.force_login(clinic.therapist)
    response = client.post(
        f"/api/v1/iop/sessions/{session.pk}/attendance",
        {"records": [{"enrolment_id": 999999, "status": "present"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "records.0.enrolment_id"


def test_the_api_refuses_unknown_fields_and_wrong_types(client, clinic, session, enrolment):
    client.force_login(clinic.therapist)
    response = client.post(
        f"/api/v1/iop/sessions/{session.pk}/attendance",
        {"records": [{"enrolment_id": enrolment.pk, "status": "late", "late_minutes": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "records.0.late_minutes"
