"""Plans from the core's schedule on the site's calendar, chairs without conflicts, changes
audited, the schedule page and the API. The fixed clock is Tuesday 2026-03-10 14:00 UTC;
site A (Riverside) is in New York (EDT from 8 March: 09:00 local is 13:00 UTC), open Mon-Fri.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from tests.personas import make_patient
from tests.treatment.conftest import screened

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.treatment.models import Course, Holiday, Session, SessionEvent
from ketaclinic.apps.treatment.planning import PlanChoice, plan_course
from ketaclinic.apps.treatment.screenings import run_screening, sign_screening

D = dt.date


@pytest.fixture
def prescriber(client, clinic, fixed_clock):
    client.force_login(clinic.prescriber)
    return client


def plan_page(client, screening, **changes):
    data = {
        "indication": "trd",
        "protocol": "iv-depression-induction:thrice-weekly",
        "starts_on": "2026-03-11",
        "start_time": "09:00",
        **changes,
    }
    return client.post(reverse("treatment:course-new", args=[screening.pk]), data)


def local_days(course) -> list[dt.date]:
    return [s.planned_start.date() for s in course.sessions.order_by("number")]


def signed_for(clinic, patient, **changes):
    inputs = {
        "age": 40,
        "sex": "female",
        "pregnant": False,
        "breastfeeding": False,
        "weight_kg": 70,
        "height_cm": 170,
        "bp_systolic": 120,
        "bp_diastolic": 80,
        "heart_rate": 70,
        "route": "iv",
        "setting": "clinic",
        **changes,
    }
    screening = run_screening(patient, inputs, user=clinic.nurse, request=None)
    return sign_screening(
        screening, decision="proceed", reasons={}, note="", user=clinic.prescriber, request=None
    )


def test_a_plan_places_six_infusions_on_open_days_at_the_chosen_time(prescriber, signed_screening):
    response = plan_page(prescriber, signed_screening)
    course = Course.objects.get()
    assert response.url == reverse("treatment:course", args=[course.pk])
    # Thrice weekly from Wed 11 March: days 0, 2, 5, 7, 9, 12 (round_half_up(k x 7/3)).
    assert local_days(course) == [D(2026, 3, d) for d in (11, 13, 16, 18, 20, 23)]
    first = course.sessions.get(number=1)
    assert first.planned_start == dt.datetime(2026, 3, 11, 13, 0, tzinfo=dt.UTC)
    assert first.chair == 1
    assert first.planned_minutes == 120  # 40-minute infusion + 80 (scheduling convention)
    # 0.5 mg/kg x 70 kg (BMI 24.2, actual weight) = 35 mg.
    assert first.planned_dose_text == "0.5 mg/kg over 40 min ≈ 35 mg"
    assert course.screening == signed_screening
    assert course.target_dose_mg_per_kg == 0.5
    assert course.infusion_minutes == 40
    created = AuditEvent.objects.get(action="create", object_type="course")
    assert created.detail["sessions"] == 6
    assert created.patient_id == course.patient_id


def test_a_weekend_start_begins_on_monday(prescriber, signed_screening):
    plan_page(prescriber, signed_screening, starts_on="2026-03-14")
    assert local_days(Course.objects.get())[0] == D(2026, 3, 16)


def test_a_holiday_pushes_sessions_on_without_breaking_the_spacing(
    prescriber, clinic, signed_screening
):
    Holiday.objects.create(site=clinic.site_a, date=D(2026, 3, 13), name="Staff day")
    response = plan_page(prescriber, signed_screening)
    # #2 aims at Fri 13 (closed): the nearest open day 2-7 days after Wed 11 is Mon 16 (+3).
    # #3 aims at Mon 16 but needs 2 days' gap: Wed 18. #4 aims at Wed 18: Fri 20. #5 aims at
    # Fri 20: Sun 22 is closed, Mon 23. #6 aims at Mon 23: Wed 25, inside 21 days (by 31).
    assert local_days(Course.objects.get()) == [D(2026, 3, d) for d in (11, 16, 18, 20, 23, 25)]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Session 2 moved +3 day(s)" in m for m in messages)


def test_a_calendar_the_protocol_cannot_fit_shows_the_cores_error(
    prescriber, clinic, signed_screening
):
    clinic.site_a.open_weekdays = [0]
    clinic.site_a.save()
    response = plan_page(prescriber, signed_screening, starts_on="2026-03-16")
    assert response.status_code == 422
    error = response.context["form"].errors["starts_on"][0]
    assert error.startswith("cannot plan iv-depression-induction with the clinic open Mon:")
    assert not Course.objects.exists()


def test_a_taken_chair_moves_the_session_to_the_next_free_chair_and_says_so(
    prescriber, clinic, signed_screening
):
    carla = make_patient(clinic.site_a, "K000002", "Carla", "Moreau", D(1990, 2, 3))
    plan_course(
        signed_for(clinic, carla),
        PlanChoice("iv-depression-induction", D(2026, 3, 11), chair=1),
        user=clinic.prescriber,
        request=None,
    )
    response = plan_page(prescriber, signed_screening, chair="1")
    alice = Course.objects.get(patient=clinic.alice)
    assert {s.chair for s in alice.sessions.all()} == {2}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Session 1 (Wed 2026-03-11 09:00): chair 1 is taken, placed in chair 2." in messages


def test_no_free_chair_refuses_the_plan_and_says_when(prescriber, clinic, signed_screening):
    clinic.site_a.chairs = 1
    clinic.site_a.save()
    carla = make_patient(clinic.site_a, "K000002", "Carla", "Moreau", D(1990, 2, 3))
    plan_course(
        signed_for(clinic, carla),
        PlanChoice("iv-depression-induction", D(2026, 3, 11), start_time=dt.time(10, 0)),
        user=clinic.prescriber,
        request=None,
    )
    # 09:00-11:00 overlaps Carla's 10:00-12:00 in the only chair.
    response = plan_page(prescriber, signed_screening)
    assert response.status_code == 422
    first = response.context["conflicts"][0]
    assert (first.number, first.when) == (1, "Wed 2026-03-11 09:00")
    assert first.messages == ("all 1 chairs are taken 09:00–11:00",)
    assert "session(s) 1, 2, 3, 4, 5, 6 conflict" in str(response.context["form"].errors)
    assert not Course.objects.filter(patient=clinic.alice).exists()
    # 12:00 is free again.
    assert plan_page(prescriber, signed_screening, start_time="12:00").status_code == 302


def test_a_patient_is_never_in_two_sessions_at_once(prescriber, clinic, course):
    second = signed_for(clinic, clinic.alice, route="im")
    response = plan_page(prescriber, second, protocol="im-depression:standard", start_time="10:30")
    assert response.status_code == 422
    overlaps = [c for c in response.context["conflicts"] if "patient_overlap" in c.kinds]
    assert overlaps
    assert "the patient is in another session then (09:00–11:00)" in overlaps[0].messages


def test_front_desk_moves_a_session_within_the_rules_with_an_audit_event(
    client, clinic, course, fixed_clock
):
    client.force_login(clinic.front_desk)
    session = course.sessions.get(number=2)  # Fri 13 March
    url = reverse("treatment:session-reschedule", args=[session.pk])
    saturday = client.post(url, {"day": "2026-03-14", "at": "09:00"})
    assert "closed on Sat 2026-03-14" in str(saturday.context["form"].errors["day"])
    clash = client.post(url, {"day": "2026-03-16", "at": "14:00"})  # session 3's day
    assert "another session of this course" in str(clash.context["form"].errors["day"])
    moved = client.post(
        url, {"day": "2026-03-12", "at": "11:30", "chair": "3", "reason": "Patient asked."}
    )
    assert moved.status_code == 302
    session.refresh_from_db()
    assert session.planned_start == dt.datetime(2026, 3, 12, 15, 30, tzinfo=dt.UTC)
    assert session.chair == 3
    event = AuditEvent.objects.get(action="update", object_type="session")
    assert event.detail["change"] == "reschedule"
    assert event.detail["reason"] == "Patient asked."
    assert event.detail["from"]["chair"] == 1
    assert event.detail["to"]["chair"] == 3


def test_moving_into_a_taken_chair_is_refused_naming_a_free_one(
    client, clinic, course, fixed_clock
):
    carla = make_patient(clinic.site_a, "K000002", "Carla", "Moreau", D(1990, 2, 3))
    plan_course(
        signed_for(clinic, carla),
        PlanChoice("iv-depression-induction", D(2026, 3, 11), start_time=dt.time(13, 0)),
        user=clinic.prescriber,
        request=None,
    )
    client.force_login(clinic.front_desk)
    session = course.sessions.get(number=1)
    url = reverse("treatment:session-reschedule", args=[session.pk])
    response = client.post(url, {"day": "2026-03-11", "at": "13:30", "chair": "1"})
    assert "chair 1 is taken then; chair 2 is free" in str(response.context["form"].errors)
    discharged = course.sessions.get(number=3)
    discharged.status = "cancelled"
    discharged.save()
    url = reverse("treatment:session-reschedule", args=[discharged.pk])
    refused = client.post(url, {"day": "2026-03-17", "at": "09:00"})
    assert "only a planned session can move" in str(refused.context["form"].errors)


def test_a_new_target_dose_rewrites_the_planned_sessions_and_is_audited(prescriber, course):
    url = reverse("treatment:course-dose", args=[course.pk])
    missing = prescriber.post(url, {"target_dose_mg_per_kg": "0.6", "reason": " "})
    assert missing.status_code == 422
    in_mg = prescriber.post(url, {"target_dose_mg": "40", "reason": "Titrate up."})
    assert "dosed per kg" in str(in_mg.context["dose_form"].errors)
    ok = prescriber.post(url, {"target_dose_mg_per_kg": "0.6", "reason": "Under 50% better."})
    assert ok.status_code == 302
    # 0.6 mg/kg x 70 kg = 42 mg.
    assert {s.planned_dose_text for s in course.sessions.all()} == {"0.6 mg/kg over 40 min ≈ 42 mg"}
    event = AuditEvent.objects.get(action="update", object_type="course")
    assert event.detail["reason"] == "Under 50% better."
    assert event.detail["from"]["mg_per_kg"] == "0.500"


def test_pausing_cancels_upcoming_sessions_with_recorded_events(prescriber, clinic, course):
    url = reverse("treatment:course-status", args=[course.pk])
    assert prescriber.post(url, {"status": "paused", "reason": "Flu."}).status_code == 302
    course.refresh_from_db()
    assert course.status == "paused"
    assert course.status_reason == "Flu."
    assert set(course.sessions.values_list("status", flat=True)) == {"cancelled"}
    assert SessionEvent.objects.filter(to_status="cancelled", reason="Flu.").count() == 6
    stop = prescriber.post(url, {"status": "stopped", "reason": "Moved away."})
    assert stop.status_code == 302
    course.refresh_from_db()
    assert course.ended_on == D(2026, 3, 11)  # not before the course's first day
    again = prescriber.post(url, {"status": "paused", "reason": "Again."})
    assert "a stopped early course cannot become paused" in str(again.context["status_form"].errors)


def test_esketamine_starts_at_56_mg_on_day_one_then_the_target(prescriber, clinic):
    screening = signed_for(clinic, clinic.alice, route="esketamine")
    response = plan_page(
        prescriber, screening, protocol="esketamine-trd:every-2-weeks", target_dose_mg="84"
    )
    assert response.status_code == 302
    course = Course.objects.get()
    texts = list(course.sessions.order_by("number").values_list("planned_dose_text", flat=True))
    assert texts[:3] == ["56 mg", "84 mg", "84 mg"]  # US label: 56 mg on day 1
    assert course.sessions.count() == 16
    assert course.sessions.get(number=1).planned_minutes == 150  # >= 2 h observation


def test_kap_plans_preparation_dosing_and_integration_sessions(prescriber, clinic):
    screening = signed_for(clinic, clinic.alice, route="sublingual")
    plan_page(prescriber, screening, protocol="kap:standard")
    course = Course.objects.get()
    kinds = list(course.sessions.values_list("kind", flat=True))
    assert kinds[:3] == ["preparation", "dosing", "integration"]
    page = prescriber.get(reverse("treatment:course", args=[course.pk])).content.decode()
    assert "<dt>Target dose</dt><dd>100 mg</dd>" in page  # not 1E+2


def test_a_clinic_screening_never_allows_the_home_program(prescriber, clinic):
    screening = signed_for(clinic, clinic.alice, route="sublingual")
    page = prescriber.get(reverse("treatment:course-new", args=[screening.pk]))
    choices = [value for value, _ in page.context["form"].fields["protocol"].choices]
    assert choices == ["kap:standard"]
    body = {
        "screening_id": screening.pk,
        "indication": "trd",
        "protocol_id": "sublingual-home",
        "starts_on": "2026-03-11",
    }
    response = prescriber.post("/api/v1/courses", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "protocol_id"


def test_a_plan_needs_a_screening_signed_to_proceed(prescriber, clinic):
    unsigned = screened(clinic)
    page = prescriber.get(reverse("treatment:course-new", args=[unsigned.pk]), follow=True)
    assert "signed by a prescriber as proceed" in page.content.decode()
    body = {
        "screening_id": unsigned.pk,
        "indication": "trd",
        "protocol_id": "iv-depression-induction",
        "starts_on": "2026-03-11",
    }
    response = prescriber.post("/api/v1/courses", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "screening"


def test_schedule_grid_puts_each_session_in_its_chair_and_half_hour(
    client, clinic, course, fixed_clock
):
    client.force_login(clinic.nurse)
    response = client.get(reverse("treatment:schedule"), {"date": "2026-03-11"})
    grid = response.context["grid"]
    assert [row.chair for row in grid.rows] == [1, 2, 3, 4]
    cells = grid.rows[0].cells
    # 09:00 is four half hours after 07:00; 120 minutes is four half hours.
    assert [(c.span, c.session is not None) for c in cells] == [(4, False), (4, True), (18, False)]
    assert response.context["previous_day"] == D(2026, 3, 10)
    body = response.content.decode()
    assert "Rivera, Alice" in body
    assert "IV racemic ketamine, depression induction" in body  # the label, not the slug
    assert AuditEvent.objects.filter(action="view", object_type="schedule").count() == 1


def test_schedule_htmx_returns_only_the_day(client, clinic, course, fixed_clock):
    client.force_login(clinic.nurse)
    response = client.get(
        reverse("treatment:schedule"), {"date": "2026-03-11"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "The day's list" in body


def test_schedule_of_another_site_is_not_offered(client, clinic, course, fixed_clock):
    client.force_login(clinic.nurse_b)
    response = client.get(
        reverse("treatment:schedule"), {"site": clinic.site_a.pk, "date": "2026-03-11"}
    )
    assert response.context["site"] == clinic.site_b
    assert "Rivera" not in response.content.decode()


def test_schedule_page_query_count_does_not_grow_with_sessions(
    client, clinic, course, fixed_clock, django_assert_num_queries
):
    client.force_login(clinic.nurse)
    url = reverse("treatment:schedule")
    client.get(url, {"date": "2026-03-11"})  # warm the session and permission caches
    # Session, user, access (one UNION for sites and permissions), the page's own queries,
    # one audit INSERT (no chain lock) and the count of the day's intake appointments
    with django_assert_num_queries(8):
        client.get(url, {"date": "2026-03-11"})
    for mrn, name in (("K000002", "Carla"), ("K000003", "Dan")):
        patient = make_patient(clinic.site_a, mrn, name, "Moreau", D(1990, 2, 3))
        plan_course(
            signed_for(clinic, patient),
            PlanChoice("iv-depression-induction", D(2026, 3, 11)),
            user=clinic.prescriber,
            request=None,
        )
    with django_assert_num_queries(8):
        response = client.get(url, {"date": "2026-03-11"})
    assert len(response.context["sessions"]) == 3


def test_api_course_list_query_count_is_pinned(
    client, clinic, course, fixed_clock, django_assert_num_queries
):
    client.force_login(clinic.prescriber)
    client.get("/api/v1/courses")
    with django_assert_num_queries(5):
        response = client.get("/api/v1/courses")
    assert [c["id"] for c in response.json()["items"]] == [course.pk]


def test_home_lists_todays_sessions_and_the_chart_shows_the_treatment(
    client, clinic, signed_screening, fixed_clock
):
    # Today (Tue 10 March) at 15:00 New York time is after the fixed 10:00.
    plan_course(
        signed_screening,
        PlanChoice("iv-depression-induction", D(2026, 3, 10), start_time=dt.time(15, 0)),
        user=clinic.prescriber,
        request=None,
    )
    client.force_login(clinic.front_desk)
    home = client.get(reverse("home")).content.decode()
    assert "Today's sessions" in home
    assert "Rivera, Alice" in home
    chart = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert "Next session" in chart
    assert "Tue 2026-03-10 15:00" in chart
    assert "0 of 6 sessions done" in chart


def test_api_plans_a_course_and_lists_its_sessions_and_the_day(
    prescriber, clinic, signed_screening
):
    body = {
        "screening_id": signed_screening.pk,
        "indication": "trd",
        "protocol_id": "iv-depression-induction",
        "variant": "twice-weekly",
        "starts_on": "2026-03-11",
        "start_time": "08:00:00",
    }
    unknown = prescriber.post(
        "/api/v1/courses",
        json.dumps({**body, "protocol_id": "iv-magic"}),
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "protocol"
    extra = prescriber.post(
        "/api/v1/courses", json.dumps({**body, "colour": "red"}), content_type="application/json"
    )
    assert extra.status_code == 422
    without = {key: value for key, value in body.items() if key != "indication"}
    for refused_body in (without, {**body, "indication": "depression"}):
        refused = prescriber.post(
            "/api/v1/courses", json.dumps(refused_body), content_type="application/json"
        )
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["indication"]
    assert Session.objects.count() == 0
    created = prescriber.post("/api/v1/courses", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert data["course"]["indication"] == "trd"
    assert len(data["sessions"]) == 6
    assert data["course"]["variant"] == "twice-weekly"
    course_id = data["course"]["id"]
    sessions = prescriber.get(f"/api/v1/courses/{course_id}/sessions").json()["items"]
    assert [s["number"] for s in sessions] == [1, 2, 3, 4, 5, 6]
    day = prescriber.get("/api/v1/schedule", {"site": clinic.site_a.pk, "date": "2026-03-11"})
    assert [s["course_id"] for s in day.json()["sessions"]] == [course_id]
    assert Session.objects.count() == 6
