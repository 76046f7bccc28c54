"""ASKP3's route-equivalence table as a reference view: who sees it, what it shows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.personas import PERSONAS

ALLOWED = {"nurse", "prescriber", "therapist", "director", "nurse_b"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_reference_table_is_for_clinical_roles(client, clinic, persona):
    user = clinic.persona(persona)
    if user:
        client.force_login(user)
    response = client.get(reverse("pk:route-equivalence"))
    expected = 302 if persona == "anonymous" else (200 if persona in ALLOWED else 403)
    assert response.status_code == expected


def test_the_table_shows_each_route_with_its_caveat(client, clinic):
    client.force_login(clinic.prescriber)
    body = client.get(reverse("pk:route-equivalence")).content.decode()
    # ASKP3: IM injection 93% bioavailable, 38 mg ≈ 0.5 mg/kg IV and 75 mg ≈ 1 mg/kg IV.
    assert "IM injection" in body
    assert "93%" in body
    assert "38 mg" in body
    assert "75 mg" in body
    assert "never by converting from this table alone" in body
