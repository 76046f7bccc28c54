"""Who sees which KAP program and its notes, every persona allowed and refused.

The table (docs/kap.md): the assigned therapist and co-therapist see their programs and
write notes; another therapist at the same site gets a 404; nurses, prescribers and the
director see every program at their sites, nurses without what notes say; front desk and
the administrator see none; another site's staff get a 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.kap.conftest import KAP_PERSONAS
from tests.kap.factories import INTEGRATION_NOTE, session

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.roles import ROLE_PERMISSIONS
from ketaclinic.apps.kap.notes import write_kap_note
from ketaclinic.apps.web import clock

SEE = {"nurse", "prescriber", "therapist", "director", "co_therapist"}
READ_NOTES = {"prescriber", "therapist", "director", "co_therapist"}
WRITE = {"therapist", "co_therapist"}
LEAD = {"prescriber", "director"}
HAS_VIEW = SEE | {"other_therapist", "therapist_b", "nurse_b"}


def expected(persona: str, allowed: set[str], perms_holders: set[str] = HAS_VIEW) -> int:
    if persona == "anonymous":
        return 302
    if persona in allowed:
        return 200
    # Holding the permission but not seeing the program: it does not exist for them.
    return 404 if persona in perms_holders else 403


def test_the_role_table_grants_exactly_these_kap_permissions():
    kap = {
        role: sorted(code for code in codes if code.startswith("kap."))
        for role, codes in ROLE_PERMISSIONS.items()
    }
    lead = [
        "kap.add_kapprogram",
        "kap.close_kapprogram",
        "kap.read_kap_note",
        "kap.view_kapprogram",
        "kap.view_site_kap_programs",
    ]
    assert kap == {
        Role.FRONT_DESK: [],
        Role.NURSE: ["kap.view_kapprogram", "kap.view_site_kap_programs"],
        Role.PRESCRIBER: lead,
        Role.THERAPIST: ["kap.add_kapnote", "kap.read_kap_note", "kap.view_kapprogram"],
        Role.MEDICAL_DIRECTOR: lead,
        Role.ADMIN: [],
    }


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_the_program_page_per_persona(as_persona, kap, persona):
    response = as_persona(persona).get(reverse("kap:program", args=[kap.pk]))
    assert response.status_code == expected(persona, SEE)


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_the_caseload_per_persona_lists_only_the_programs_they_see(as_persona, kap, persona):
    response = as_persona(persona).get(reverse("kap:caseload"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    if persona not in HAS_VIEW:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = [p.pk for p in response.context["page"].items]
    assert listed == ([kap.pk] if persona in SEE else [])


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_who_reads_what_a_note_says(as_persona, clinic, kap, persona):
    write_kap_note(
        kap,
        session(kap.course, 3),
        parts=INTEGRATION_NOTE,
        user=clinic.therapist,
        now=clock.now(),
        request=None,
    )
    response = as_persona(persona).get(reverse("kap:program", args=[kap.pk]))
    if persona not in SEE:
        return
    body = response.content.decode()
    assert "note written" in body
    reads = persona in READ_NOTES
    assert ("Grief for her father" in body) is reads
    assert ("reconnect with my sister" in body) is reads  # the goals


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_writing_a_note_per_persona(as_persona, kap, persona):
    url = reverse("kap:write-note", args=[kap.pk, session(kap.course, 3).pk])
    response = as_persona(persona).get(url)
    writers_with_perm = WRITE | {"other_therapist", "therapist_b"}
    assert response.status_code == expected(persona, WRITE, writers_with_perm)


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_starting_a_program_per_persona(as_persona, clinic, kap, persona):
    from tests.kap.factories import make_kap_course

    course = make_kap_course(clinic, clinic.alice)
    response = as_persona(persona).get(reverse("kap:start", args=[course.pk]))
    assert response.status_code == expected(persona, LEAD, set())


@pytest.mark.parametrize("persona", KAP_PERSONAS)
def test_closing_a_program_per_persona(as_persona, kap, persona):
    response = as_persona(persona).get(reverse("kap:close", args=[kap.pk]))
    assert response.status_code == expected(persona, LEAD, set())


def test_site_b_program_is_a_404_for_site_a_lead_and_visible_to_site_b_therapist(
    client, clinic, kap
):
    from tests.kap.factories import make_kap_course, make_program

    bobs = make_program(clinic, make_kap_course(clinic, clinic.bob), therapist=clinic.therapist_b)
    for user in (clinic.director, clinic.prescriber, clinic.nurse, clinic.therapist):
        client.force_login(user)
        assert client.get(reverse("kap:program", args=[bobs.pk])).status_code == 404
        listed = [p.pk for p in client.get(reverse("kap:caseload")).context["page"].items]
        assert bobs.pk not in listed
    client.force_login(clinic.therapist_b)
    assert client.get(reverse("kap:program", args=[bobs.pk])).status_code == 200


def test_the_nav_shows_kap_to_those_who_see_programs(client, clinic, kap):
    for user, shown in (
        (clinic.therapist, True),
        (clinic.nurse, True),
        (clinic.director, True),
        (clinic.front_desk, False),
        (clinic.admin, False),
    ):
        client.force_login(user)
        labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
        assert ("KAP" in labels) is shown, user
