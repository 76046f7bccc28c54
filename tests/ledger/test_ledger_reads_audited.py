"""Every read of the ledger through the API leaves an audit event (issue 14: balances and
containers were read with none)."""

from __future__ import annotations

from ketaclinic.apps.audit.models import AuditEvent


def _latest(object_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=object_type).latest("id")


def test_balances_containers_and_a_container_are_each_one_event(client, clinic, receive):
    (vial,) = receive("k10")
    client.force_login(clinic.director)
    assert client.get("/api/v1/ledger/balances").status_code == 200
    event = _latest("ledger_balances")
    assert (event.action, event.actor, event.detail["patients"]) == ("view", clinic.director, [])
    assert client.get("/api/v1/ledger/containers?page=1").status_code == 200
    assert _latest("ledger_containers").detail["page"] == 1
    assert client.get(f"/api/v1/ledger/containers/{vial.pk}").status_code == 200
    event = _latest("ledger_container")
    assert (event.object_id, event.site_id) == (str(vial.pk), clinic.site_a.pk)
