"""The roster (capacity, no second enrolment in the same group, same site only, discharge
with a reason), the ketamine course beside each enrolment, group and session forms with
field errors, and notes (who writes, who reads, validation, audit)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.iop.factories import enrol, make_group
from tests.personas import make_patient

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.iop.models import GroupSession, IopEnrolment, IopGroup, IopNote
from ketaclinic.apps.treatment.models import Course

pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_front_desk_enrols_a_patient_by_mrn(client, clinic, group):
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("iop:enrol", args=[group.pk]),
        {"mrn": "k000001", "starts_on": "2026-03-10", "planned_hours_per_week": "10"},
    )
    assert response.status_code == 302
    enrolment = IopEnrolment.objects.get()
    assert enrolment.patient == clinic.alice
    assert str(enrolment.planned_hours_per_week) == "10.0"
    event = AuditEvent.objects.get(object_type="iop_enrolment", action="create")
    assert event.patient_id == clinic.alice.pk


def test_a_patient_is_not_enrolled_twice_in_the_same_group(client, clinic, group, enrolment):
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("iop:enrol", args=[group.pk]),
        {"mrn": "K000001", "starts_on": "2026-03-10", "planned_hours_per_week": "9"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["mrn"] == ["is already on this group's roster"]


def test_a_full_group_refuses_one_more(client, clinic, fixed_clock):
    small = make_group(clinic, capacity=1)
    enrol(small, clinic.alice, clinic.front_desk)
    make_patient(clinic.site_a, "K000002", "Carol", "Nguyen", dt.date(1990, 1, 1))
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("iop:enrol", args=[small.pk]),
        {"mrn": "K000002", "starts_on": "2026-03-10", "planned_hours_per_week": "9"},
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["the group is full (1 places)"]


def test_another_sites_mrn_is_not_found(client, clinic, group):
    client.force_login(clinic.front_desk)
    # Bob at Lakeview has the same MRN as Alice; only Riverside's patient can be found.
    clinic.alice.mrn = "K000009"
    clinic.alice.save()
    response = client.post(
        reverse("iop:enrol", args=[group.pk]),
        {"mrn": "K000001", "starts_on": "2026-03-10", "planned_hours_per_week": "9"},
    )
    assert response.status_code == 422
    assert "No patient with MRN K000001 at Riverside." in response.context["form"].errors["mrn"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"starts_on": "2026-01-01", "planned_hours_per_week": "9"}, "starts_on"),
        ({"starts_on": "2026-03-10", "planned_hours_per_week": "0"}, "planned_hours_per_week"),
        ({"starts_on": "2026-03-10", "planned_hours_per_week": "41"}, "planned_hours_per_week"),
        ({"starts_on": "", "planned_hours_per_week": "9"}, "starts_on"),
    ],
)
def test_enrolment_field_errors(client, clinic, group, data, field):
    client.force_login(clinic.front_desk)
    response = client.post(reverse("iop:enrol", args=[group.pk]), {"mrn": "K000001", **data})
    assert response.status_code == 422
    assert field in response.context["form"].errors


def test_discharge_takes_a_date_and_reason_and_frees_the_place(client, clinic, group, enrolment):
    client.force_login(clinic.front_desk)
    url = reverse("iop:discharge", args=[enrolment.pk])
    response = client.post(url, {"ended_on": "2026-01-01", "reason": "completed"})
    assert response.status_code == 422
    assert response.context["form"].errors["ended_on"] == ["cannot be before the enrolment started"]
    response = client.post(url, {"ended_on": "2026-03-10", "reason": "stepped_down"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.ended_on, enrolment.end_reason) == (dt.date(2026, 3, 10), "stepped_down")
    again = client.post(
        reverse("iop:enrol", args=[group.pk]),
        {"mrn": "K000001", "starts_on": "2026-03-10", "planned_hours_per_week": "9"},
    )
    assert again.status_code == 302  # back on the roster after leaving


def test_the_group_page_shows_each_patients_current_ketamine_course(
    client, clinic, group, enrolment
):
    Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="iv-racemic-induction",
        route="iv",
        status="active",
        prescriber=clinic.prescriber,
        starts_on=dt.date(2026, 2, 1),
    )
    client.force_login(clinic.nurse)
    page = client.get(reverse("iop:group", args=[group.pk]))
    line = page.context["roster"][0]
    assert line["course"].protocol_id == "iv-racemic-induction"
    assert b"iv-racemic-induction" in page.content


def test_front_desk_creates_a_group_with_a_schedule(client, clinic):
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("iop:group-create"),
        {
            "site": clinic.site_a.pk,
            "name": "Evening IOP",
            "focus": "depression",
            "population": "adult",
            "facilitators": [clinic.therapist.pk],
            "meeting_weekdays": ["0", "2", "4"],
            "session_starts_at": "18:00",
            "session_minutes": "180",
            "capacity": "10",
            "starts_on": "2026-03-16",
            "status": "planned",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    group = IopGroup.objects.get(name="Evening IOP")
    assert group.meeting_weekdays == [0, 2, 4]
    assert list(group.facilitators.all()) == [clinic.therapist]


def test_group_form_field_errors(client, clinic):
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("iop:group-create"),
        {
            "site": clinic.site_a.pk,
            "name": "",
            "focus": "depression",
            "population": "adult",
            "facilitators": [clinic.nurse.pk],
            "session_starts_at": "18:00",
            "session_minutes": "20",
            "capacity": "50",
            "starts_on": "2026-03-16",
            "ends_on": "2026-03-01",
            "status": "planned",
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {
        "name",
        "facilitators",
        "meeting_weekdays",
        "session_minutes",
        "capacity",
        "ends_on",
    }


def test_adding_a_session_checks_the_facilitator_and_the_slot(client, clinic, group):
    client.force_login(clinic.front_desk)
    url = reverse("iop:session-create", args=[group.pk])
    data = {
        "held_on": "2026-03-12",
        "starts_at": "17:30",
        "duration_minutes": "180",
        "topic": "Sleep",
        "facilitator": clinic.therapist.pk,
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 422
    assert again.context["form"].errors["held_on"] == [
        "the group already meets at that date and time"
    ]
    wrong = client.post(url, {**data, "held_on": "2026-03-13", "facilitator": clinic.nurse.pk})
    assert wrong.status_code == 422
    assert "facilitator" in wrong.context["form"].errors
    assert GroupSession.objects.count() == 1


def test_the_facilitator_writes_a_note_and_it_is_audited(client, clinic, session, enrolment):
    client.force_login(clinic.therapist)
    url = reverse("iop:note", args=[session.pk, enrolment.pk])
    short = client.post(url, {"text": "ok"})
    assert short.status_code == 422
    assert short.context["form"].errors["text"] == ["Write at least a sentence."]
    assert client.post(url, {"text": "Engaged; shared her activity plan."}).status_code == 302
    assert client.post(url, {"text": "Engaged; shared her plan. No risk."}).status_code == 302
    note = IopNote.objects.get()
    assert note.text == "Engaged; shared her plan. No risk."
    assert note.updated_at is not None
    actions = list(
        AuditEvent.objects.filter(object_type="iop_note")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_notes_show_to_prescribers_and_not_to_front_desk_or_nurses(
    client, clinic, session, enrolment
):
    IopNote.objects.create(
        session=session,
        enrolment=enrolment,
        author=clinic.therapist,
        text="Spoke about the last infusion; sleep better.",
        written_at=session.held_on and dt.datetime(2026, 3, 9, 23, tzinfo=dt.UTC),
    )
    patient_url = reverse("iop:patient", args=[clinic.alice.pk])
    for persona in ("prescriber", "director", "therapist"):
        client.force_login(getattr(clinic, persona))
        assert b"sleep better" in client.get(patient_url).content
    for persona in ("front_desk", "nurse"):
        client.force_login(getattr(clinic, persona))
        page = client.get(patient_url)
        assert b"sleep better" not in page.content
        assert b"Group notes" not in page.content
        sheet = client.get(reverse("iop:session", args=[session.pk]))
        assert b"the note" not in sheet.content


def test_reading_a_patients_iop_page_is_audited(client, clinic, enrolment):
    client.force_login(clinic.nurse)
    client.get(reverse("iop:patient", args=[clinic.alice.pk]))
    assert AuditEvent.objects.filter(
        object_type="iop_enrolment", action="view", patient=clinic.alice
    ).exists()


def test_front_desk_plans_the_coming_weeks_from_the_schedule(client, clinic, group):
    # Today is Tuesday 10 March; two weeks is 10-23 March: Mon/Tue/Thu 10, 12, 16, 17, 19, 23.
    make_session = GroupSession.objects.create
    make_session(
        group=group,
        held_on=dt.date(2026, 3, 12),
        starts_at=group.session_starts_at,
        duration_minutes=120,
        facilitator=clinic.therapist,
    )
    client.force_login(clinic.front_desk)
    response = client.post(reverse("iop:plan", args=[group.pk]), {"weeks": "2"})
    assert response.status_code == 302
    days = list(GroupSession.objects.order_by("held_on").values_list("held_on", flat=True))
    assert days == [dt.date(2026, 3, d) for d in (10, 12, 16, 17, 19, 23)]
    assert GroupSession.objects.get(held_on=dt.date(2026, 3, 12)).duration_minutes == 120
    client.post(reverse("iop:plan", args=[group.pk]), {"weeks": "2"})
    assert GroupSession.objects.count() == 6  # planning again adds nothing


@pytest.mark.parametrize("weeks", ["0", "13", "two"])
def test_planning_refuses_a_bad_number_of_weeks(client, clinic, group, weeks):
    client.force_login(clinic.front_desk)
    response = client.post(reverse("iop:plan", args=[group.pk]), {"weeks": weeks}, follow=True)
    assert "Nothing planned" in response.content.decode()
    assert not GroupSession.objects.exists()


@pytest.mark.parametrize("persona", ["nurse", "therapist", "prescriber", "admin"])
def test_only_front_desk_and_the_director_plan_sessions(client, clinic, group, persona):
    client.force_login(getattr(clinic, persona))
    response = client.post(reverse("iop:plan", args=[group.pk]), {"weeks": "1"})
    assert response.status_code == 403


def test_a_group_without_a_facilitator_is_not_planned(client, clinic, fixed_clock):
    lonely = make_group(clinic, facilitators=[])
    client.force_login(clinic.front_desk)
    response = client.post(reverse("iop:plan", args=[lonely.pk]), {"weeks": "1"}, follow=True)
    assert "give the group a facilitator first" in response.content.decode()


def test_the_nav_shows_iop_to_those_who_see_groups(client, clinic):
    for persona, shown in (
        ("front_desk", True),
        ("nurse", True),
        ("therapist", True),
        ("prescriber", True),
        ("director", True),
        ("admin", False),
        ("no_role", False),
    ):
        client.force_login(getattr(clinic, persona))
        labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
        assert ("IOP" in labels) is shown, persona


def test_editing_a_group_keeps_its_roster_possible(client, clinic, group, enrolment):
    client.force_login(clinic.director)
    data = {
        "site": clinic.site_a.pk,
        "name": group.name,
        "focus": group.focus,
        "population": group.population,
        "facilitators": [clinic.therapist.pk],
        "meeting_weekdays": ["0", "1", "3"],
        "session_starts_at": "17:30",
        "session_minutes": "180",
        "capacity": "1",
        "starts_on": "2026-02-02",
        "status": "active",
    }
    carol = make_patient(clinic.site_a, "K000002", "Carol", "Nguyen", dt.date(1990, 1, 1))
    enrol(group, carol, clinic.front_desk)
    response = client.post(reverse("iop:group-edit", args=[group.pk]), data)
    assert response.status_code == 422
    assert response.context["form"].errors["capacity"] == ["2 patients are on the roster now."]
    clinic.director.sites.add(clinic.site_b)
    moved = {**data, "capacity": "8", "site": clinic.site_b.pk}
    response = client.post(reverse("iop:group-edit", args=[group.pk]), moved)
    assert response.status_code == 422
    assert response.context["form"].errors["site"] == [
        "Patients are on the roster: discharge them first."
    ]
    assert client.post(reverse("iop:group-edit", args=[group.pk]), {**data, "capacity": "8"})[
        "Location"
    ] == reverse("iop:group", args=[group.pk])


def test_running_groups_come_first_in_the_list(client, clinic, fixed_clock):
    make_group(clinic, name="A closed group", status="closed")
    make_group(clinic, name="B planned group", status="planned")
    make_group(clinic, name="C running group", status="active")
    client.force_login(clinic.nurse)
    names = [g.name for g in client.get(reverse("iop:list")).context["page"].items]
    assert names == ["C running group", "B planned group", "A closed group"]
