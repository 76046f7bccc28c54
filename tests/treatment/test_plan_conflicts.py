"""One course per screening; one dosing session a day for a patient unless a prescriber says
why; conflicts listed with the nearest free time instead of an all-or-nothing refusal.

The fixed clock is Tuesday 2026-03-10 14:00 UTC; site A (Riverside, New York) is open Mon-Fri
and has 4 chairs. Alice's ``course`` fixture is the IV induction thrice weekly from Wednesday
2026-03-11 at 09:00 (Wed 11, Fri 13, Mon 16, Wed 18, Fri 20, Mon 23 March).
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from tests.personas import make_patient
from tests.treatment.test_plans_and_schedule import plan_page, signed_for

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.treatment.conflicts import PlanConflicts, Slot
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.apps.treatment.planning import PlanChoice, PlanRefused, plan_course

D = dt.date
NEW_YORK = ZoneInfo("America/New_York")
IV_DAYS = {D(2026, 3, 11), D(2026, 3, 13), D(2026, 3, 16), D(2026, 3, 18), D(2026, 3, 20)} | {
    D(2026, 3, 23)
}


@pytest.fixture
def prescriber(client, clinic, fixed_clock):
    client.force_login(clinic.prescriber)
    return client


def local_days(course) -> list[dt.date]:
    return [s.planned_start.astimezone(NEW_YORK).date() for s in course.sessions.all()]


def test_the_iv_fixture_is_on_the_days_these_tests_assume(course):
    assert set(local_days(course)) == IV_DAYS


# One course per screening -------------------------------------------------------------------


def test_a_second_course_from_the_same_screening_is_refused_in_the_domain(
    clinic, signed_screening, course
):
    choice = PlanChoice("iv-depression-induction", D(2026, 4, 6))
    with pytest.raises(PlanRefused) as refused:
        plan_course(signed_screening, choice, user=clinic.prescriber, request=None)
    assert refused.value.field == "screening_id"
    assert "already has a course (iv-depression-induction, planned" in refused.value.message
    assert Course.objects.count() == 1


def test_the_database_refuses_a_second_course_for_one_screening(clinic, signed_screening, course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.create(
            patient=clinic.alice,
            site=clinic.site_a,
            protocol_id="im-depression",
            route="im",
            prescriber=clinic.prescriber,
            starts_on=D(2026, 4, 6),
            screening=signed_screening,
        )


def test_the_plan_page_refuses_a_second_course_with_a_form_error(
    prescriber, signed_screening, course
):
    response = plan_page(prescriber, signed_screening, starts_on="2026-04-06")
    assert response.status_code == 422
    assert "this screening already has a course" in str(response.context["form"].non_field_errors())
    page = prescriber.get(reverse("treatment:course-new", args=[signed_screening.pk]))
    assert page.status_code == 302
    detail = prescriber.get(reverse("treatment:screening", args=[signed_screening.pk]))
    assert "Create a treatment plan" not in detail.content.decode()


def test_the_api_refuses_a_second_course_with_a_422_naming_the_screening(
    prescriber, signed_screening, course
):
    body = {
        "screening_id": signed_screening.pk,
        "indication": "trd",
        "protocol_id": "iv-depression-induction",
        "starts_on": "2026-04-06",
    }
    response = prescriber.post("/api/v1/courses", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "screening_id"


# The same day -------------------------------------------------------------------------------


def second_screening(clinic):
    return signed_for(clinic, clinic.alice, route="im")


def im_plan(prescriber, screening, **changes):
    return plan_page(
        prescriber, screening, protocol="im-depression:standard", start_time="13:00", **changes
    )


def test_a_second_dose_on_the_same_day_is_listed_with_the_nearest_free_day(
    prescriber, clinic, course
):
    screening = second_screening(clinic)
    response = im_plan(prescriber, screening)
    assert response.status_code == 422
    conflicts = response.context["conflicts"]
    assert conflicts, "an IM course on the IV course's days must conflict"
    for conflict in conflicts:
        assert conflict.kinds == ("patient_same_day",)
        assert "another dosing session that day (09:00)" in conflict.messages[0]
        assert conflict.suggestion is not None
        assert conflict.suggestion.day not in IV_DAYS
        assert conflict.suggestion.day.weekday() < 5
    # Nothing is booked while conflicts stand.
    assert Course.objects.filter(screening=screening).count() == 0
    page = response.content.decode()
    assert "Sessions that conflict" in page
    assert 'name="move"' in page
    assert "Reason to dose twice on one day" in page


def test_accepting_the_suggestions_plans_the_course_off_the_iv_days(prescriber, clinic, course):
    screening = second_screening(clinic)
    conflicts = im_plan(prescriber, screening).context["conflicts"]
    response = im_plan(prescriber, screening, move=[c.token for c in conflicts])
    assert response.status_code == 302
    im = Course.objects.get(screening=screening)
    assert not set(local_days(im)) & IV_DAYS
    moved = {c.number: c.suggestion for c in conflicts}
    for session in im.sessions.filter(number__in=moved):
        local = session.planned_start.astimezone(NEW_YORK)
        assert (local.date(), local.time()) == (moved[session.number].day, dt.time(13, 0))
    event = AuditEvent.objects.get(object_type="course", object_id=str(im.pk), action="create")
    assert event.detail["moved_by_prescriber"] == sorted(moved)
    assert event.detail["same_day_override"] is None


def test_a_prescribers_reason_keeps_the_same_day_and_is_recorded(prescriber, clinic, course):
    screening = second_screening(clinic)
    reason = "Patient travels 3 h; IM booster agreed with Dr Paul as a one-off."
    response = im_plan(prescriber, screening, same_day_reason=reason)
    assert response.status_code == 302
    im = Course.objects.get(screening=screening)
    assert im.same_day_reason == reason
    kept = sorted(s.number for s in im.sessions.all() if s.planned_start.date() in IV_DAYS)
    assert kept
    event = AuditEvent.objects.get(object_type="course", object_id=str(im.pk), action="create")
    assert event.detail["same_day_override"] == {"sessions": kept, "reason": reason}


def test_a_reason_too_short_is_refused_on_its_field(prescriber, clinic, course):
    response = im_plan(prescriber, second_screening(clinic), same_day_reason="ok")
    assert response.status_code == 422
    assert "At least 10 characters" in str(response.context["form"].errors["same_day_reason"])


def test_an_overlap_is_never_kept_by_a_reason(prescriber, clinic, course):
    screening = second_screening(clinic)
    response = plan_page(
        prescriber,
        screening,
        protocol="im-depression:standard",
        start_time="10:00",
        same_day_reason="Two doses agreed, see note of 10 March.",
    )
    assert response.status_code == 422
    overlapping = [c for c in response.context["conflicts"] if "patient_overlap" in c.kinds]
    assert overlapping
    assert "the patient is in another session then (09:00–11:00)" in overlapping[0].messages


def test_a_full_clinic_suggests_the_nearest_free_chair_time(prescriber, clinic, signed_screening):
    clinic.site_a.chairs = 1
    clinic.site_a.save()
    carla = make_patient(clinic.site_a, "K000002", "Carla", "Moreau", D(1990, 2, 3))
    plan_course(
        signed_for(clinic, carla),
        PlanChoice("iv-depression-induction", D(2026, 3, 11), start_time=dt.time(10, 0)),
        user=clinic.prescriber,
        request=None,
    )
    # Alice at 09:00-11:00 overlaps Carla's 10:00-12:00 in the only chair on all six days.
    # Nearest free start on the same day: 08:00 (ends 10:00), 60 minutes away; 12:00 is 180.
    response = plan_page(prescriber, signed_screening)
    assert response.status_code == 422
    conflicts = response.context["conflicts"]
    assert [c.number for c in conflicts] == [1, 2, 3, 4, 5, 6]
    assert all(c.kinds == ("no_chair",) for c in conflicts)
    assert "all 1 chairs are taken 09:00–11:00" in conflicts[0].messages[0]
    assert [(c.suggestion.at, c.suggestion.chair) for c in conflicts] == [(dt.time(8, 0), 1)] * 6
    assert [c.suggestion.day for c in conflicts] == sorted(IV_DAYS)
    accepted = plan_page(prescriber, signed_screening, move=[c.token for c in conflicts])
    assert accepted.status_code == 302
    alice = Course.objects.get(screening=signed_screening)
    assert {s.planned_start.astimezone(NEW_YORK).time() for s in alice.sessions.all()} == {
        dt.time(8, 0)
    }


def test_the_api_lists_conflicts_with_suggestions_and_accepts_them(prescriber, clinic, course):
    screening = second_screening(clinic)
    body = {
        "screening_id": screening.pk,
        "indication": "trd",
        "protocol_id": "im-depression",
        "starts_on": "2026-03-11",
        "start_time": "13:00",
    }
    refused = prescriber.post("/api/v1/courses", json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    data = refused.json()
    assert data["errors"][0]["field"] == f"sessions[{data['conflicts'][0]['session']}]"
    assert data["errors"][0]["code"] == "patient_same_day"
    moves = [
        {
            "session": c["session"],
            "date": c["suggestion"]["date"],
            "time": c["suggestion"]["time"],
            "chair": c["suggestion"]["chair"],
        }
        for c in data["conflicts"]
    ]
    created = prescriber.post(
        "/api/v1/courses", json.dumps({**body, "moves": moves}), content_type="application/json"
    )
    assert created.status_code == 201
    days = {
        dt.datetime.fromisoformat(s["planned_start"]).astimezone(NEW_YORK).date()
        for s in created.json()["sessions"]
    }
    assert not days & IV_DAYS


def test_a_move_for_a_session_the_plan_does_not_have_is_refused(clinic, course):
    choice = PlanChoice(
        "im-depression",
        D(2026, 3, 11),
        start_time=dt.time(13, 0),
        moves={9: Slot(D(2026, 3, 12), dt.time(13, 0), 1)},
    )
    with pytest.raises(PlanRefused) as refused:
        plan_course(second_screening(clinic), choice, user=clinic.prescriber, request=None)
    assert refused.value.field == "moves"


def test_plan_conflicts_name_every_conflicting_session(clinic, course):
    choice = PlanChoice("im-depression", D(2026, 3, 11), start_time=dt.time(13, 0))
    with pytest.raises(PlanConflicts) as refused:
        plan_course(second_screening(clinic), choice, user=clinic.prescriber, request=None)
    numbers = ", ".join(str(c.number) for c in refused.value.conflicts)
    assert refused.value.field == "sessions"
    assert refused.value.message.startswith(f"session(s) {numbers} conflict")


# Moving a session onto a dosing day ---------------------------------------------------------


def im_course(clinic):
    screening = second_screening(clinic)
    choice = PlanChoice("im-depression", D(2026, 3, 11), start_time=dt.time(13, 0))
    try:
        return plan_course(screening, choice, user=clinic.prescriber, request=None).course
    except PlanConflicts as conflicts:
        moves = {c.number: c.suggestion for c in conflicts.conflicts}
        choice = PlanChoice("im-depression", D(2026, 3, 11), start_time=dt.time(13, 0), moves=moves)
        return plan_course(screening, choice, user=clinic.prescriber, request=None).course


def test_front_desk_cannot_move_a_dose_onto_a_day_the_patient_is_dosed(
    client, clinic, course, fixed_clock
):
    im = im_course(clinic)
    session = im.sessions.order_by("number").first()
    client.force_login(clinic.front_desk)
    url = reverse("treatment:session-reschedule", args=[session.pk])
    refused = client.post(url, {"day": "2026-03-18", "at": "13:00", "same_day_reason": "x" * 20})
    assert refused.status_code == 422
    assert "another dosing session on Wed 2026-03-18" in str(refused.context["form"].errors["day"])


def test_a_prescriber_moves_a_dose_onto_a_dosing_day_with_a_recorded_reason(
    client, clinic, course, fixed_clock
):
    im = im_course(clinic)
    session = im.sessions.order_by("number").first()
    client.force_login(clinic.prescriber)
    url = reverse("treatment:session-reschedule", args=[session.pk])
    reason = "Agreed with the patient: IM after the infusion, observed together."
    moved = client.post(url, {"day": "2026-03-18", "at": "13:00", "same_day_reason": reason})
    assert moved.status_code == 302
    event = AuditEvent.objects.filter(object_type="session", object_id=str(session.pk)).last()
    assert event.detail["same_day_override"] == reason
    assert Session.objects.get(pk=session.pk).planned_start.astimezone(NEW_YORK).date() == D(
        2026, 3, 18
    )
