"""The ledger API: read-only book for the roles that see it; writes through the same rules."""

from __future__ import annotations

import json

import pytest
from tests.personas import PASSWORD, PERSONAS

from ketaclinic.apps.ledger.models import Container

VIEWERS = {"nurse", "prescriber", "director", "nurse_b"}


@pytest.fixture
def as_persona(client, clinic):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def vial(receive):
    return receive("k10")[0]


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("persona", PERSONAS)
def test_balances_are_read_by_ledger_roles_only_and_scoped_to_their_sites(
    as_persona, vial, persona
):
    response = as_persona(persona).get("/api/v1/ledger/balances")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == (200 if persona in VIEWERS else 403)
    if persona in VIEWERS:
        rows = response.json()["items"]
        if persona == "nurse_b":
            assert rows == []
        else:
            assert rows[0]["on_hand"] == 20000
            assert rows[0]["on_hand_text"] == "20 mL"
            assert rows[0]["on_hand_mg"] == "200"


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_container_of_another_site_is_not_found(as_persona, vial, persona):
    response = as_persona(persona).get(f"/api/v1/ledger/containers/{vial.pk}")
    want = {"anonymous": 401, "nurse_b": 404}.get(persona, 200 if persona in VIEWERS else 403)
    assert response.status_code == want


def test_entries_are_listed_in_chain_order(client, clinic, vial):
    client.force_login(clinic.nurse)
    response = client.get("/api/v1/ledger/entries", {"container_id": vial.pk})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [e["kind"] for e in items] == ["receipt"]
    assert items[0]["balance_after"] == 20000
    assert len(items[0]["hash"]) == 64


def test_an_administration_through_the_api_goes_through_the_same_rules(client, clinic, vial):
    client.force_login(clinic.nurse)
    url = f"/api/v1/ledger/containers/{vial.pk}/administrations"
    too_much = _post(
        client,
        url,
        {"patient_id": clinic.alice.pk, "volume_drawn_ml": "20.5", "volume_given_ml": "20.5"},
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "volume_drawn_ml"
    strict = _post(client, url, {"patient_id": clinic.alice.pk, "dose": "1"})
    assert strict.status_code == 422
    other_site = _post(
        client, url, {"patient_id": clinic.bob.pk, "volume_drawn_ml": "1", "volume_given_ml": "1"}
    )
    assert other_site.json()["errors"][0]["field"] == "patient_id"
    done = _post(
        client,
        url,
        {"patient_id": clinic.alice.pk, "volume_drawn_ml": "3.5", "volume_given_ml": "3.2"},
    )
    assert done.status_code == 201
    assert done.json()["details"]["waste_due"] == 300
    waste = _post(
        client,
        f"/api/v1/ledger/containers/{vial.pk}/wastes",
        {
            "quantity": "0.3",
            "witness_username": clinic.nurse.username,
            "witness_password": PASSWORD,
            "administration_id": done.json()["id"],
        },
    )
    assert waste.status_code == 422
    assert waste.json()["errors"][0]["field"] == "witness_username"
    waste = _post(
        client,
        f"/api/v1/ledger/containers/{vial.pk}/wastes",
        {
            "quantity": "0.3",
            "witness_username": clinic.prescriber.username,
            "witness_password": PASSWORD,
            "administration_id": done.json()["id"],
        },
    )
    assert waste.status_code == 201
    assert Container.objects.get(pk=vial.pk).on_hand == 16500


def test_a_therapist_cannot_record_and_nurse_b_cannot_reach_site_a(client, clinic, vial):
    url = f"/api/v1/ledger/containers/{vial.pk}/counts"
    client.force_login(clinic.therapist)
    assert _post(client, url, {"counted": "20"}).status_code == 403
    client.force_login(clinic.nurse_b)
    assert _post(client, url, {"counted": "20"}).status_code == 404


def test_a_count_with_a_difference_opens_a_discrepancy_the_director_resolves(client, clinic, vial):
    client.force_login(clinic.nurse)
    counted = _post(client, f"/api/v1/ledger/containers/{vial.pk}/counts", {"counted": "19.9"})
    assert counted.status_code == 201
    discrepancy_id = counted.json()["discrepancy_id"]
    assert discrepancy_id
    url = f"/api/v1/ledger/discrepancies/{discrepancy_id}/resolve"
    assert _post(client, url, {"reason": "x"}).status_code == 403
    client.force_login(clinic.director)
    assert _post(client, url, {"reason": ""}).status_code == 422
    resolved = _post(client, url, {"reason": "Recounted: 20 mL"})
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
