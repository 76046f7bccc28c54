"""Quantities have upper bounds: a hostile or mistyped number is a field error, never a 500."""

from __future__ import annotations

import json

import pytest

HUGE = ("1e999999", "9" * 5000, "1000000000000000")


@pytest.fixture
def vial(receive):
    return receive("k10")[0]  # 20 mL


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("counted", [*HUGE, "100000", "20.001"])
def test_the_api_refuses_a_count_past_what_the_container_can_hold(client, clinic, vial, counted):
    client.force_login(clinic.nurse)
    response = _post(client, f"/api/v1/ledger/containers/{vial.pk}/counts", {"counted": counted})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["counted"]
    assert not vial.entries.filter(kind="count").exists()


def test_a_count_of_exactly_what_was_received_is_accepted(client, clinic, vial):
    client.force_login(clinic.nurse)
    response = _post(client, f"/api/v1/ledger/containers/{vial.pk}/counts", {"counted": "20"})
    assert response.status_code == 201


@pytest.mark.parametrize("counted", ["1e999999", "1000000000000000", "100000"])
def test_the_count_page_shows_a_field_error_for_a_count_too_large(client, clinic, vial, counted):
    client.force_login(clinic.nurse)
    response = client.post(f"/ledger/containers/{vial.pk}/count/", {"counted": counted})
    assert response.status_code in {200, 422}
    assert response.context["form"].errors["counted"]
    assert not vial.entries.filter(kind="count").exists()


@pytest.mark.parametrize("quantity", HUGE)
def test_the_api_refuses_a_waste_too_large(client, clinic, vial, quantity):
    client.force_login(clinic.nurse)
    body = {"quantity": quantity, "witness_username": "paul", "witness_password": "x"}
    response = _post(client, f"/api/v1/ledger/containers/{vial.pk}/wastes", body)
    assert response.status_code in {403, 422}
    assert not vial.entries.filter(kind="waste").exists()
