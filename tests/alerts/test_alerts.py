"""Alerts reach the right people, stay open until acknowledged with a note, and are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.personas import PERSONAS

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import (
    AlertAlreadyAcknowledged,
    acknowledge_alert,
    alerts_for,
    raise_alert,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent


def raise_for(clinic, *, assigned_to=None, patient=None, site=None):
    return raise_alert(
        site=site or clinic.site_a,
        patient=patient or clinic.alice,
        kind=AlertKind.SUICIDAL_IDEATION,
        level=AlertLevel.URGENT,
        title="PHQ-9 item 9 answered 2",
        assigned_to=assigned_to,
    )


def test_raising_an_alert_is_audited(clinic, fixed_clock):
    alert = raise_for(clinic)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.object_type, event.object_id) == (
        Action.CREATE,
        "alert",
        str(alert.pk),
    )
    assert alert.raised_at == fixed_clock.now()


@pytest.mark.parametrize(
    ("persona", "sees_unassigned", "sees_assigned_to_prescriber"),
    [
        ("prescriber", True, True),
        ("director", True, True),
        ("nurse", True, True),
        ("therapist", False, False),
        ("front_desk", False, False),
        ("nurse_b", False, False),
        ("admin", False, False),
    ],
)
def test_alert_routing_by_role_and_site(
    clinic, fixed_clock, persona, sees_unassigned, sees_assigned_to_prescriber
):
    unassigned = raise_for(clinic)
    assigned = raise_for(clinic, assigned_to=clinic.prescriber)
    visible = set(alerts_for(clinic.persona(persona)).values_list("id", flat=True))
    assert (unassigned.pk in visible) == sees_unassigned
    assert (assigned.pk in visible) == sees_assigned_to_prescriber


def test_an_alert_assigned_to_another_prescriber_is_not_on_mine(clinic, fixed_clock):
    from tests.personas import make_user

    colleague = make_user("petra", "prescriber", [clinic.site_a])
    alert = raise_for(clinic, assigned_to=colleague)
    assert alert.pk not in alerts_for(clinic.prescriber).values_list("id", flat=True)
    assert alert.pk in alerts_for(clinic.director).values_list("id", flat=True)


def test_the_alert_stays_on_the_prescribers_dashboard_until_acknowledged(
    client, clinic, fixed_clock
):
    alert = raise_for(clinic, assigned_to=clinic.prescriber)
    client.force_login(clinic.prescriber)
    assert "PHQ-9 item 9 answered 2" in client.get("/").content.decode()
    empty = client.post(reverse("alerts:acknowledge", args=[alert.pk]), {"note": "   "})
    assert empty.status_code == 422
    assert Alert.objects.get(pk=alert.pk).is_open
    done = client.post(
        reverse("alerts:acknowledge", args=[alert.pk]),
        {"note": "Called patient; safety plan reviewed."},
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (
        clinic.prescriber,
        "Called patient; safety plan reviewed.",
    )
    assert client.get("/").context["open_alerts"] == []
    assert AuditEvent.objects.filter(action=Action.ACKNOWLEDGE, object_id=str(alert.pk)).exists()


def test_an_alert_is_acknowledged_once(clinic, fixed_clock):
    alert = raise_for(clinic)
    acknowledge_alert(alert, user=clinic.prescriber, note="Seen.", request=None)
    with pytest.raises(AlertAlreadyAcknowledged):
        acknowledge_alert(alert, user=clinic.director, note="Also seen.", request=None)
    with pytest.raises(ValueError, match="note"):
        acknowledge_alert(raise_for(clinic), user=clinic.director, note=" ", request=None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_acknowledge(client, clinic, fixed_clock, persona):
    alert = raise_for(clinic)
    user = clinic.persona(persona)
    if user:
        client.force_login(user)
    response = client.post(reverse("alerts:acknowledge", args=[alert.pk]), {"note": "Seen."})
    expected = {
        "anonymous": 302,
        "prescriber": 302,
        "director": 302,
    }.get(persona, 403)
    assert response.status_code == expected
    assert Alert.objects.get(pk=alert.pk).is_open == (persona not in ("prescriber", "director"))


def test_another_sites_alert_is_not_found(client, clinic, fixed_clock):
    alert = raise_for(clinic, patient=clinic.bob, site=clinic.site_b)
    client.force_login(clinic.prescriber)
    response = client.post(reverse("alerts:acknowledge", args=[alert.pk]), {"note": "Seen."})
    assert response.status_code == 404


def test_alert_page_lists_open_then_acknowledged(client, clinic, fixed_clock):
    open_alert = raise_for(clinic)
    closed = raise_for(clinic)
    acknowledge_alert(closed, user=clinic.director, note="Handled.", request=None)
    client.force_login(clinic.director)
    open_ids = [a.pk for a in client.get(reverse("alerts:list")).context["page"].items]
    done_ids = [
        a.pk
        for a in client.get(reverse("alerts:list"), {"state": "acknowledged"}).context["page"].items
    ]
    assert (open_ids, done_ids) == ([open_alert.pk], [closed.pk])
    assert client.get("/").context["open_alert_count"] == 1


def test_api_lists_and_acknowledges(client, clinic, fixed_clock):
    alert = raise_for(clinic, assigned_to=clinic.prescriber)
    client.force_login(clinic.prescriber)
    listed = client.get("/api/v1/alerts").json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    bad = client.post(
        f"/api/v1/alerts/{alert.pk}/acknowledge", {"note": ""}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "note"
    ok = client.post(
        f"/api/v1/alerts/{alert.pk}/acknowledge",
        {"note": "Called."},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["acknowledgement_note"] == "Called."
    again = client.post(
        f"/api/v1/alerts/{alert.pk}/acknowledge",
        {"note": "Again."},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_urgent_alerts_come_before_warnings(client, clinic, fixed_clock):
    warning = raise_alert(
        site=clinic.site_a, kind=AlertKind.REMS_DUE, level=AlertLevel.WARNING, title="REMS due"
    )
    urgent = raise_for(clinic)
    later_warning = raise_alert(
        site=clinic.site_a, kind=AlertKind.REMS_DUE, level=AlertLevel.WARNING, title="REMS 2"
    )
    client.force_login(clinic.director)
    listed = [a.pk for a in client.get(reverse("alerts:list")).context["page"].items]
    assert listed == [urgent.pk, later_warning.pk, warning.pk]
    assert [a.pk for a in client.get("/").context["open_alerts"]] == listed
