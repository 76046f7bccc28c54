"""The witness re-authentication is not an oracle (issue 14, item 3): an unknown name, an
unauthorised or inactive colleague, another site's nurse and a wrong password all get one
message; guesses are throttled per witness and per person recording; refusals are audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.personas import PASSWORD

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.ledger.appending import WITNESS_REFUSED
from ketaclinic.apps.ledger.operations import record_waste
from ketaclinic.clinical.exceptions import InputError


def _waste(clinic, vial, witness, password):
    return record_waste(
        container=vial,
        quantity="0.1",
        user=clinic.nurse,
        witness=witness,
        witness_password=password,
        reason="dropped",
    )


def _refusal(clinic, vial, witness, password) -> tuple[str, str]:
    with pytest.raises(InputError) as refused:
        _waste(clinic, vial, witness, password)
    return refused.value.field, refused.value.message


def test_every_failed_witness_check_gives_the_same_field_and_message(receive, clinic):
    (vial,) = receive("k10")
    clinic.director.is_active = False
    clinic.director.save()
    refusals = {
        "wrong password": _refusal(clinic, vial, clinic.prescriber, "not-his-password"),
        "not authorised": _refusal(clinic, vial, clinic.front_desk, PASSWORD),
        "another site": _refusal(clinic, vial, clinic.nurse_b, PASSWORD),
        "inactive": _refusal(clinic, vial, clinic.director, PASSWORD),
    }
    assert set(refusals.values()) == {("witness_password", WITNESS_REFUSED)}
    assert AuditEvent.objects.filter(object_type="ledger_witness", outcome="denied").count() == 4


def test_five_failed_checks_lock_the_witness_even_with_the_right_password(
    receive, clinic, fixed_clock
):
    (vial,) = receive("k10")
    for _ in range(5):
        _refusal(clinic, vial, clinic.prescriber, "guess")
    assert _refusal(clinic, vial, clinic.prescriber, PASSWORD) == (
        "witness_password",
        WITNESS_REFUSED,
    )
    fixed_clock.moment += dt.timedelta(minutes=16)
    assert _waste(clinic, vial, clinic.prescriber, PASSWORD).witness == clinic.prescriber


def test_one_person_recording_cannot_try_many_witnesses_without_limit(receive, clinic, fixed_clock):
    (vial,) = receive("k10")
    for witness in (clinic.front_desk, clinic.therapist, clinic.no_role, clinic.nurse_b) * 3:
        if not AuditEvent.objects.filter(detail__reason="locked_out").exists():
            _refusal(clinic, vial, witness, "guess")
    assert _refusal(clinic, vial, clinic.prescriber, PASSWORD)[1] == WITNESS_REFUSED
    assert AuditEvent.objects.filter(detail__reason="locked_out").exists()


def test_the_api_answers_an_unknown_witness_like_a_wrong_password(client, clinic, receive):
    (vial,) = receive("k10")
    client.force_login(clinic.nurse)
    url = f"/api/v1/ledger/containers/{vial.pk}/wastes"
    answers = []
    for username, password in (
        ("no-such-person", PASSWORD),
        (clinic.front_desk.username, PASSWORD),
        (clinic.nurse_b.username, PASSWORD),
        (clinic.prescriber.username, "wrong"),
    ):
        body = {
            "quantity": "0.1",
            "reason": "dropped",
            "witness_username": username,
            "witness_password": password,
        }
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 422
        answers.append(json.dumps(response.json(), sort_keys=True))
    assert len(set(answers)) == 1
    assert "witness_password" in answers[0]
