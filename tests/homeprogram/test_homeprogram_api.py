"""The home-program API: each endpoint per persona, 404 for another site, 422 naming the field
with the same words as the pages (the same forms validate), audit events, a pinned query count.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.homeprogram.factories import GOOD_ANSWERS, issue, make_home_course, make_prescription
from tests.personas import PERSONAS, make_patient

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.homeprogram.models import HomePrescription, PillCount, RefillDispensing

pytestmark = pytest.mark.usefixtures("fixed_clock")

SEE = {"front_desk", "nurse", "prescriber", "therapist", "director"}
PRESCRIBE = {"prescriber", "director"}
REFILL = {"nurse", "prescriber", "director"}
COUNT = {"nurse"}
BASE = "/api/v1/homeprogram"


def expected(persona, allowed, ok=200):
    if persona == "anonymous":
        return 401
    if persona == "nurse_b":
        return 404 if "nurse" in allowed else 403
    return ok if persona in allowed else 403


@pytest.fixture
def as_persona(client, clinic):
    def login(persona):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


def post(client, path, body):
    return client.post(f"{BASE}{path}", json.dumps(body), content_type="application/json")


def prescription_body(course, **overrides):
    body = {
        "course_id": course.pk,
        "strength_mg": "100",
        "quantity_dispensed": 8,
        "refills_authorised": 2,
        "written_on": "2026-03-09",
        "dose_per_session_mg": "200",
        "max_doses_per_week": 2,
        "first_home_dose_on": "2026-03-10",
    }
    body.update(overrides)
    return body


REFILL_BODY = {"dispensed_on": "2026-03-21", "quantity": 6, "dispensed_at": "in_clinic"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_listing_a_patients_prescriptions_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic)
    response = as_persona(persona).get(f"{BASE}/patients/{clinic.alice.pk}/prescriptions")
    assert response.status_code == expected(persona, SEE)
    if response.status_code == 200:
        assert [p["id"] for p in response.json()["items"]] == [rx.pk]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_prescriptions_detail_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic)
    response = as_persona(persona).get(f"{BASE}/prescriptions/{rx.pk}")
    assert response.status_code == expected(persona, SEE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_a_prescription_per_persona(as_persona, clinic, persona):
    course = make_home_course(clinic)
    response = post(
        as_persona(persona), f"/patients/{clinic.alice.pk}/prescriptions", prescription_body(course)
    )
    want = expected(persona, PRESCRIBE, ok=201)
    assert response.status_code == (403 if persona == "nurse_b" else want)
    assert HomePrescription.objects.count() == (1 if want == 201 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_refill_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic, refills_authorised=2)
    response = post(as_persona(persona), f"/prescriptions/{rx.pk}/refills", REFILL_BODY)
    assert response.status_code == expected(persona, REFILL, ok=201)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_pill_count_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic)
    body = {"counted_on": "2026-03-10", "counted": "6"}
    response = post(as_persona(persona), f"/prescriptions/{rx.pk}/pill-counts", body)
    assert response.status_code == expected(persona, COUNT, ok=201)


def test_a_prescriber_writes_a_prescription_and_it_is_audited(client, clinic):
    course = make_home_course(clinic)
    client.force_login(clinic.prescriber)
    response = post(client, f"/patients/{clinic.alice.pk}/prescriptions", prescription_body(course))
    assert response.status_code == 201
    body = response.json()
    assert Decimal(body["strength_mg"]) == Decimal("100")
    # Refills default to six months after the date written, as on the page.
    assert body["refills_until"] == "2026-09-09"
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="home_prescription", object_id=str(body["id"])
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"refills_authorised": 6}, "refills_authorised", "Schedule III allows 0 to 5 refills"),
        ({"refills_until": "2026-09-10"}, "refills_until", "refills must end by 2026-09-09"),
        ({"strength_mg": "0"}, "strength_mg", None),
        ({"max_doses_per_week": 8}, "max_doses_per_week", None),
        ({"first_home_dose_on": "2026-03-08"}, "first_home_dose_on", None),
    ],
)
def test_the_schedule_iii_limits_are_refused_as_on_the_page(
    client, clinic, changes, field, message
):
    course = make_home_course(clinic)
    client.force_login(clinic.prescriber)
    api = post(
        client, f"/patients/{clinic.alice.pk}/prescriptions", prescription_body(course, **changes)
    )
    assert api.status_code == 422
    errors = {e["field"]: e["message"] for e in api.json()["errors"]}
    assert field in errors
    if message:
        assert message in errors[field]
    # The page says the same thing for the same input.
    page_data = {k: v for k, v in prescription_body(course, **changes).items() if v is not None}
    page_data["course"] = page_data.pop("course_id")
    page = client.post(reverse("homeprogram:prescribe", args=[clinic.alice.pk]), page_data)
    assert page.status_code == 422
    assert page.context["form"].errors[field][0] == errors[field]
    assert not HomePrescription.objects.exists()


def test_unknown_fields_are_refused_naming_them(client, clinic):
    course = make_home_course(clinic)
    client.force_login(clinic.prescriber)
    body = prescription_body(course, refills="lots")
    response = post(client, f"/patients/{clinic.alice.pk}/prescriptions", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "refills"


def test_a_course_of_another_patient_is_refused_on_course_id(client, clinic):
    carol = make_patient(clinic.alice.site, "K000777", "Carol", "Ames", dt.date(1990, 1, 1))
    other = make_home_course(clinic, carol)
    client.force_login(clinic.prescriber)
    response = post(client, f"/patients/{clinic.alice.pk}/prescriptions", prescription_body(other))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "course"


def test_an_early_refill_is_422_on_dispensed_on_and_the_count_on_the_prescription(client, clinic):
    rx = make_prescription(clinic, refills_authorised=1)
    client.force_login(clinic.prescriber)
    early = post(
        client, f"/prescriptions/{rx.pk}/refills", {**REFILL_BODY, "dispensed_on": "2026-03-20"}
    )
    assert early.status_code == 422
    assert early.json()["errors"] == [
        {
            "field": "dispensed_on",
            "message": "Too early: 85% of the last supply should not be used before "
            "2026-03-21 at the prescribed rate.",
            "code": "dispensed_on",
        }
    ]
    assert post(client, f"/prescriptions/{rx.pk}/refills", REFILL_BODY).status_code == 201
    again = post(
        client, f"/prescriptions/{rx.pk}/refills", {**REFILL_BODY, "dispensed_on": "2026-04-30"}
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "prescription_id"
    assert RefillDispensing.objects.count() == 1


def test_a_nurse_may_not_record_a_pharmacy_refill_over_the_api(client, clinic):
    rx = make_prescription(clinic, refills_authorised=1)
    client.force_login(clinic.nurse)
    body = {**REFILL_BODY, "dispensed_at": "pharmacy", "pharmacy": "Main Street"}
    response = post(client, f"/prescriptions/{rx.pk}/refills", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "dispensed_at"


def test_the_detail_reconciles_every_dispensing_and_hides_reports_from_front_desk(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    issued = issue(rx)
    answers = {**GOOD_ANSWERS, "amount_mg": "100"}
    assert (
        client.post(reverse("home_check_in:form", args=[issued.token]), answers).status_code == 200
    )
    client.force_login(clinic.prescriber)
    assert post(client, f"/prescriptions/{rx.pk}/refills", REFILL_BODY).status_code == 201
    client.force_login(clinic.nurse)
    count = post(
        client, f"/prescriptions/{rx.pk}/pill-counts", {"counted_on": "2026-03-22", "counted": "11"}
    )
    assert count.status_code == 201
    # 6 + 6 dispensed, one troche reported taken: 11 expected, 11 counted.
    assert (count.json()["dispensed"], count.json()["discrepancy"]) == (12, "0.00")
    detail = client.get(f"{BASE}/prescriptions/{rx.pk}").json()
    assert detail["reconciliation"] == {
        "dispensed": 12,
        "reported_taken": "1",
        "refills_dispensed": 1,
        "refills_left": 1,
        "next_refill_on": "2026-04-08",
    }
    reported = [d for d in detail["calendar"] if d["check_in"]]
    assert reported[0]["check_in"]["mood_0_10"] == 6
    client.force_login(clinic.front_desk)
    detail = client.get(f"{BASE}/prescriptions/{rx.pk}").json()
    assert all(d["check_in"] is None for d in detail["calendar"])
    assert detail["reconciliation"]["reported_taken"] is None
    assert (
        AuditEvent.objects.filter(
            action=Action.VIEW, object_type="home_prescription", object_id=str(rx.pk)
        ).count()
        == 2
    )
    assert PillCount.objects.count() == 1


def test_the_detail_is_pinned_in_queries(client, clinic, django_assert_max_num_queries):
    rx = make_prescription(clinic, refills_authorised=5)
    client.force_login(clinic.prescriber)
    for day in ("2026-03-21", "2026-04-08", "2026-04-26"):
        post(client, f"/prescriptions/{rx.pk}/refills", {**REFILL_BODY, "dispensed_on": day})
    assert RefillDispensing.objects.count() == 3
    with django_assert_max_num_queries(20):
        assert client.get(f"{BASE}/prescriptions/{rx.pk}").status_code == 200
