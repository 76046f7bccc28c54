"""The shell around every page: health check, headers, error pages, idle timeout, hashing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from ketaclinic.apps.accounts.middleware import IdleTimeoutMiddleware
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_pages_send_a_strict_content_security_policy(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_valid_incoming_request_id_is_kept(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-proxy")
    assert response.headers["X-Request-ID"] == "abc12345-proxy"


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_unknown_page_renders_the_friendly_404(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "belongs to a site you do not work at" in response.content.decode()


def nav_labels(client, user) -> list[str]:
    client.force_login(user)
    return [item["label"] for item in client.get("/").context["nav_items"]]


def test_navigation_shows_each_role_its_pages(client, clinic):
    director = nav_labels(client, clinic.director)
    therapist = nav_labels(client, clinic.therapist)
    admin = nav_labels(client, clinic.admin)
    front_desk = nav_labels(client, clinic.front_desk)
    assert director[:2] == ["Today", "Patients"]
    assert {"Alerts", "Audit"} <= set(director)
    assert "Audit" not in therapist
    assert "Settings" not in director
    assert {"Audit", "Settings"} <= set(admin)
    assert "Patients" not in admin
    assert "Alerts" not in front_desk


def test_idle_session_is_logged_out_after_the_configured_minutes(client, clinic, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(IdleTimeoutMiddleware, "clock", staticmethod(lambda: now[0]))
    client.force_login(clinic.nurse)
    assert client.get(reverse("patients:list")).status_code == 200
    now[0] += settings.SESSION_IDLE_MINUTES * 60 - 1
    assert client.get(reverse("patients:list")).status_code == 200
    now[0] += settings.SESSION_IDLE_MINUTES * 60 + 1
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.SESSION_TIMEOUT).count() == 1
    assert client.get(reverse("patients:list")).status_code == 302


def test_argon2_is_the_password_hasher_of_the_product():
    from ketaclinic.config import settings as product_settings

    assert product_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("hasher", ["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_argon2_hashes_start_with_its_identifier(settings, hasher):
    settings.PASSWORD_HASHERS = [hasher]
    assert make_password("a long pass phrase").startswith("argon2$")


def test_password_change_is_audited(client, clinic):
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": "correct-horse-battery-staple",
            "new_password1": "a-new-long-passphrase-7",
            "new_password2": "a-new-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE, actor=clinic.nurse).exists()


def test_vendored_htmx_and_the_stylesheet_are_served(client, db):
    for path in ("/static/vendor/htmx-2.0.11.min.js", "/static/web/ketaclinic.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 1000, path
