"""Staff pages: who may see and do what (every persona), prescriptions within the Schedule
III limits, sending links through the messaging chokepoint, pill counts, audit events."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.homeprogram.factories import GOOD_ANSWERS, issue, make_home_course, make_prescription
from tests.personas import PERSONAS

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.homeprogram.models import HomeCheckInLink, HomePrescription, PillCount

pytestmark = pytest.mark.usefixtures("fixed_clock")

SEE = {"front_desk", "nurse", "prescriber", "therapist", "director"}
PRESCRIBE = {"prescriber", "director"}
SEND = {"front_desk", "nurse", "prescriber", "director"}
COUNT = {"nurse"}


def expected(persona, allowed):
    if persona == "anonymous":
        return 302
    if persona == "nurse_b":
        return 404 if "nurse" in allowed else 403
    return 200 if persona in allowed else 403


@pytest.fixture
def as_persona(client, clinic):
    def login(persona):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_patients_home_program_page_per_persona(as_persona, clinic, persona):
    make_prescription(clinic)
    response = as_persona(persona).get(reverse("homeprogram:patient", args=[clinic.alice.pk]))
    assert response.status_code == expected(persona, SEE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_a_prescription_per_persona(as_persona, clinic, persona):
    response = as_persona(persona).get(reverse("homeprogram:prescribe", args=[clinic.alice.pk]))
    want = expected(persona, PRESCRIBE)
    assert response.status_code == (403 if persona == "nurse_b" else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_sending_a_link_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic)
    response = as_persona(persona).get(reverse("homeprogram:send-link", args=[rx.pk]))
    assert response.status_code == expected(persona, SEND)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_pill_count_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic)
    response = as_persona(persona).get(reverse("homeprogram:pill-count", args=[rx.pk]))
    assert response.status_code == expected(persona, COUNT)


def test_nurse_b_gets_404_for_site_a_patients_program(client, clinic):
    make_prescription(clinic)
    client.force_login(clinic.nurse_b)
    assert client.get(reverse("homeprogram:patient", args=[clinic.alice.pk])).status_code == 404
    assert client.get(reverse("homeprogram:list")).context["page"].items == []


def test_front_desk_sees_the_calendar_status_but_not_what_the_patient_reported(client, clinic):
    rx = make_prescription(clinic)
    client.post(
        reverse("home_check_in:form", args=[issue(rx).token]),
        {**GOOD_ANSWERS, "bp_systolic": "171", "bp_diastolic": "95"},
    )
    client.force_login(clinic.front_desk)
    body = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk])).content.decode()
    assert "Checked in, needs review" in body
    assert "171/95" not in body
    client.force_login(clinic.therapist)
    body = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk])).content.decode()
    assert "171/95" in body


def test_the_program_page_shows_the_calendar_and_audits_the_view(client, clinic):
    make_prescription(clinic)
    client.force_login(clinic.prescriber)
    response = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk]))
    statuses = [day.status for day in response.context["programs"][0]["calendar"]]
    # planned 3, 7, 10, 14, 17, 21 March; now 10 March 10:00 at Riverside; 24 h grace:
    # 3 and 7 March are past their deadlines (5 and 9 March 00:00) with no check-in
    assert statuses == ["missed", "missed", "due", "upcoming", "upcoming", "upcoming"]
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="home_prescription", patient=clinic.alice
    ).exists()


def test_the_calendar_waits_for_the_in_person_first_dose(client, clinic):
    make_prescription(clinic, first_dose=False)
    client.force_login(clinic.prescriber)
    response = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk]))
    assert {d.status for d in response.context["programs"][0]["calendar"]} == {
        "awaiting_first_dose"
    }
    assert "not yet charted" in response.content.decode()


def test_the_list_page_is_pinned_in_queries(client, clinic, django_assert_num_queries):
    for _ in range(3):
        make_prescription(clinic, course=make_home_course(clinic))
    client.force_login(clinic.prescriber)
    client.get(reverse("homeprogram:list"))
    with django_assert_num_queries(6) as captured:
        response = client.get(reverse("homeprogram:list"))
    assert len(response.context["page"].items) == 3
    for _ in range(3):
        make_prescription(clinic, course=make_home_course(clinic))
    # the same number with twice the rows: no query per row, and no COUNT(*)
    with django_assert_num_queries(6):
        client.get(reverse("homeprogram:list"))
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_the_list_page_shows_each_prescription_it_found(client, clinic):
    prescription = make_prescription(clinic, course=make_home_course(clinic))
    client.force_login(clinic.prescriber)
    html = client.get(reverse("homeprogram:list")).content.decode()
    assert "No home prescriptions yet" not in html
    assert prescription.patient.mrn in html
    assert reverse("homeprogram:patient", args=[prescription.patient_id]) in html


PRESCRIPTION = {
    "product": "Ketamine HCl sublingual troche",
    "strength_mg": "100",
    "quantity_dispensed": "6",
    "refills_authorised": "5",
    "refills_until": "2026-09-10",
    "written_on": "2026-03-10",
    "dose_per_session_mg": "100",
    "max_doses_per_week": "2",
    "first_home_dose_on": "2026-03-12",
    "directions": "One troche under the tongue, with an adult present.",
}


def test_a_prescriber_writes_a_prescription_within_the_limits(client, clinic):
    course = make_home_course(clinic)
    client.force_login(clinic.prescriber)
    response = client.post(
        reverse("homeprogram:prescribe", args=[clinic.alice.pk]),
        {**PRESCRIPTION, "course": course.pk},
    )
    assert response.status_code == 302
    rx = HomePrescription.objects.get()
    assert (rx.refills_authorised, rx.refills_until) == (5, dt.date(2026, 9, 10))
    assert rx.prescriber == clinic.prescriber
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="home_prescription", object_id=str(rx.pk)
    ).exists()


def test_refills_default_to_six_months_after_the_date_written(client, clinic):
    course = make_home_course(clinic)
    client.force_login(clinic.prescriber)
    client.post(
        reverse("homeprogram:prescribe", args=[clinic.alice.pk]),
        {**PRESCRIPTION, "course": course.pk, "refills_until": "", "refills_authorised": "2"},
    )
    # 10 March + 6 months = 10 September
    assert HomePrescription.objects.get().refills_until == dt.date(2026, 9, 10)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"refills_authorised": "6"}, "refills_authorised"),
        ({"refills_until": "2026-09-11"}, "refills_until"),
        ({"max_doses_per_week": "8"}, "max_doses_per_week"),
        ({"first_home_dose_on": "2026-03-09"}, "first_home_dose_on"),
    ],
)
def test_prescriptions_outside_the_limits_are_refused(client, clinic, changes, field):
    course = make_home_course(clinic)
    client.force_login(clinic.prescriber)
    response = client.post(
        reverse("homeprogram:prescribe", args=[clinic.alice.pk]),
        {**PRESCRIPTION, "course": course.pk, **changes},
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not HomePrescription.objects.exists()


def test_only_home_protocol_courses_can_carry_a_home_prescription(client, clinic):
    from tests.charting.factories import make_session

    iv_course = make_session(clinic).course
    client.force_login(clinic.prescriber)
    response = client.post(
        reverse("homeprogram:prescribe", args=[clinic.alice.pk]),
        {**PRESCRIPTION, "course": iv_course.pk},
    )
    assert response.status_code == 422
    assert "course" in response.context["form"].errors


def test_front_desk_sends_a_link_by_email_through_the_messaging_chokepoint(client, clinic, outbox):
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    rx = make_prescription(clinic)
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("homeprogram:send-link", args=[rx.pk]),
        {"planned_on": "2026-03-10", "sent_via": "email"},
    )
    assert response.status_code == 200
    link = HomeCheckInLink.objects.get()
    assert "/home/" in response.context["url"]
    (message,) = outbox
    assert message.to == "alice@example.org"
    assert response.context["url"] in message.body
    assert "Alice" not in message.body
    assert "ketamine" not in message.body.lower()
    assert AuditEvent.objects.filter(
        action=Action.SEND, object_type="home_check_in_link", object_id=str(link.pk)
    ).exists()


def test_a_link_cannot_be_sent_before_the_first_dose(client, clinic):
    rx = make_prescription(clinic, first_dose=False)
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("homeprogram:send-link", args=[rx.pk]),
        {"planned_on": "2026-03-10", "sent_via": "not_sent"},
    )
    assert response.status_code == 422
    assert "first dose must be charted" in response.content.decode()
    assert not HomeCheckInLink.objects.exists()


def test_a_matching_pill_count_raises_nothing(client, clinic):
    rx = make_prescription(clinic)
    client.post(reverse("home_check_in:form", args=[issue(rx).token]), GOOD_ANSWERS)
    client.force_login(clinic.nurse)
    client.post(
        reverse("homeprogram:pill-count", args=[rx.pk]),
        {"counted_on": "2026-03-10", "counted": "5"},
    )
    # dispensed 6, one check-in of 100 mg with 100 mg troches = 1 taken: 6 - 1 = 5 expected
    count = PillCount.objects.get()
    assert (count.expected_on_hand, count.discrepancy) == (Decimal("5"), Decimal("0"))
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="pill_count").exists()


def test_a_pill_count_discrepancy_is_shown_and_warns_the_prescriber(client, clinic):
    rx = make_prescription(clinic)
    client.post(reverse("home_check_in:form", args=[issue(rx).token]), GOOD_ANSWERS)
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("homeprogram:pill-count", args=[rx.pk]),
        {"counted_on": "2026-03-10", "counted": "3"},
        follow=True,
    )
    # 5 expected, 3 counted: 3 - 5 = -2 (two troches unaccounted for)
    assert PillCount.objects.get().discrepancy == Decimal("-2")
    assert "discrepancy -2" in response.content.decode()
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.assigned_to) == (
        AlertKind.HOME_CHECK_IN,
        AlertLevel.WARNING,
        clinic.prescriber,
    )
