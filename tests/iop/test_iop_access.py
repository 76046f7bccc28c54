"""Who may open which IOP page and endpoint: every persona, allowed and refused.

Front desk runs groups, rosters and the calendar and sees attendance, never notes; the
group's facilitator (Theo) takes attendance and writes notes; nurses see attendance;
prescribers and the director read notes; the administrator sees nothing; Bea, a nurse at
Lakeview, gets 404 for Riverside's group and patient.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.personas import PERSONAS

pytestmark = pytest.mark.usefixtures("fixed_clock")

SEE = {"front_desk", "nurse", "prescriber", "therapist", "director"}
RUN = {"front_desk", "director"}
TAKE = {"therapist"}
READ_NOTES = {"therapist", "prescriber", "director"}
WRITE_NOTES = {"therapist"}


def expected(persona, allowed, *, site_scoped=True, nurse_b_has_perm=None):
    """302 to log in, 403 without the permission, 404 for Bea (site B) where she holds the
    permission but the object is at site A, else 200."""
    if persona == "anonymous":
        return 302
    if persona == "nurse_b":
        has = "nurse" in allowed if nurse_b_has_perm is None else nurse_b_has_perm
        if not has:
            return 403
        return 404 if site_scoped else 200
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_list_per_persona(as_persona, persona, group):
    response = as_persona(persona).get(reverse("iop:list"))
    assert response.status_code == expected(persona, SEE, site_scoped=False)
    if persona == "nurse_b":
        assert response.context["page"].items == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_page_per_persona(as_persona, persona, group, enrolment):
    response = as_persona(persona).get(reverse("iop:group", args=[group.pk]))
    assert response.status_code == expected(persona, SEE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_creating_a_group_per_persona(as_persona, persona):
    response = as_persona(persona).get(reverse("iop:group-create"))
    assert response.status_code == expected(persona, RUN, site_scoped=False)


@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_a_group_per_persona(as_persona, persona, group):
    response = as_persona(persona).get(reverse("iop:group-edit", args=[group.pk]))
    assert response.status_code == expected(persona, RUN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_enrolling_per_persona(as_persona, persona, group):
    response = as_persona(persona).get(reverse("iop:enrol", args=[group.pk]))
    assert response.status_code == expected(persona, RUN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_discharging_per_persona(as_persona, persona, enrolment):
    response = as_persona(persona).get(reverse("iop:discharge", args=[enrolment.pk]))
    assert response.status_code == expected(persona, RUN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_adding_a_session_per_persona(as_persona, persona, group):
    response = as_persona(persona).get(reverse("iop:session-create", args=[group.pk]))
    assert response.status_code == expected(persona, RUN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_attendance_sheet_per_persona(as_persona, persona, session):
    response = as_persona(persona).get(reverse("iop:session", args=[session.pk]))
    assert response.status_code == expected(persona, SEE)
    if response.status_code == 200:
        assert response.context["can_take"] is (persona in TAKE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_taking_attendance_per_persona(as_persona, persona, session, enrolment):
    response = as_persona(persona).post(
        reverse("iop:session", args=[session.pk]), {f"status-{enrolment.pk}": "present"}
    )
    want = expected(persona, TAKE, nurse_b_has_perm=True)
    assert response.status_code == (302 if want == 200 else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_a_note_per_persona(as_persona, persona, session, enrolment):
    response = as_persona(persona).get(reverse("iop:note", args=[session.pk, enrolment.pk]))
    assert response.status_code == expected(persona, READ_NOTES, nurse_b_has_perm=False)


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_a_note_per_persona(as_persona, persona, session, enrolment):
    response = as_persona(persona).post(
        reverse("iop:note", args=[session.pk, enrolment.pk]),
        {"text": "Engaged and thoughtful throughout the session."},
    )
    want = expected(persona, WRITE_NOTES, nurse_b_has_perm=False)
    assert response.status_code == (302 if want == 200 else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_patients_iop_page_per_persona(as_persona, persona, clinic, enrolment):
    response = as_persona(persona).get(reverse("iop:patient", args=[clinic.alice.pk]))
    assert response.status_code == expected(persona, SEE)


API_SEE = {"front_desk", "nurse", "prescriber", "therapist", "director"}


def api_expected(persona, allowed, *, scoped=True):
    if persona == "anonymous":
        return 401
    if persona == "nurse_b":
        return 404 if scoped and "nurse" in allowed else (200 if "nurse" in allowed else 403)
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_group_list_per_persona(as_persona, persona, group):
    response = as_persona(persona).get("/api/v1/iop/groups")
    assert response.status_code == api_expected(persona, API_SEE, scoped=False)
    if response.status_code == 200 and persona == "nurse_b":
        assert response.json()["items"] == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_group_detail_per_persona(as_persona, persona, group, enrolment):
    response = as_persona(persona).get(f"/api/v1/iop/groups/{group.pk}")
    assert response.status_code == api_expected(persona, API_SEE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_recording_attendance_per_persona(as_persona, persona, session, enrolment):
    client = as_persona(persona)
    client.handler.enforce_csrf_checks = False
    response = client.post(
        f"/api/v1/iop/sessions/{session.pk}/attendance",
        {"records": [{"enrolment_id": enrolment.pk, "status": "present"}]},
        content_type="application/json",
    )
    if persona == "nurse_b":
        assert response.status_code == 403  # no take_attendance permission at all
    else:
        assert response.status_code == api_expected(persona, TAKE)


def test_a_therapist_who_does_not_lead_the_group_cannot_take_its_attendance(
    client, clinic, session, enrolment
):
    from tests.personas import make_user

    from ketaclinic.apps.accounts.choices import Role

    other = make_user("tess", Role.THERAPIST, [clinic.site_a])
    client.force_login(other)
    url = reverse("iop:session", args=[session.pk])
    assert client.get(url).context["can_take"] is False
    assert client.post(url, {f"status-{enrolment.pk}": "present"}).status_code == 403
    note_url = reverse("iop:note", args=[session.pk, enrolment.pk])
    assert client.get(note_url).status_code == 403  # notes of groups she does not lead


def test_another_sites_group_is_404_for_its_director_too(client, clinic, fixed_clock):
    from tests.iop.factories import make_group

    lakeview = make_group(clinic, clinic.site_b, facilitators=[], name="Lakeview IOP")
    client.force_login(clinic.director)  # works at Riverside only
    assert client.get(reverse("iop:group", args=[lakeview.pk])).status_code == 404
    assert client.get(f"/api/v1/iop/groups/{lakeview.pk}").status_code == 404
