"""KAP fixtures: a program for Alice with therapist Theo, plus a co-therapist and an
unassigned therapist at site A and a therapist at site B."""

from __future__ import annotations

import pytest
from tests.kap.factories import extra_therapists, make_program
from tests.personas import PERSONAS

KAP_PERSONAS = (*PERSONAS, "co_therapist", "other_therapist", "therapist_b")


@pytest.fixture
def kap(clinic, fixed_clock):
    """Alice's program (therapist Theo; co-therapist Cora), and who else exists."""
    from tests.personas import make_user

    from ketaclinic.apps.accounts.choices import Role

    other, at_b = extra_therapists(clinic)
    co = make_user("cora", Role.THERAPIST, [clinic.site_a])
    program = make_program(clinic, co_therapist=co)
    clinic.co_therapist = co
    clinic.other_therapist = other
    clinic.therapist_b = at_b
    return program


@pytest.fixture
def as_persona(client, clinic):
    def login(persona):
        user = None if persona == "anonymous" else getattr(clinic, persona)
        if user is not None:
            client.force_login(user)
        return client

    return login
