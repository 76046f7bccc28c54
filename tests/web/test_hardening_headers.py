"""Headers and ids every response carries: no caching of pages, request ids that are ours."""

from __future__ import annotations

import pytest

from ketaclinic.apps.audit.models import AuditEvent


def test_a_page_for_a_logged_in_user_is_never_stored(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get(f"/patients/{clinic.alice.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_an_api_answer_is_never_stored(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get(f"/api/v1/patients/{clinic.alice.pk}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_an_export_is_never_stored(client, clinic):
    client.force_login(clinic.director)
    response = client.get("/audit/export.csv")
    assert "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable(client, db):
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


@pytest.mark.parametrize(
    "sent",
    [
        "short",
        "x" * 65,
        "<script>alert(1)</script>",
        "abc12345\r\nX-Injected: 1",
        "abc 12345 with spaces",
        "ünïcödé-12345",
        "",
    ],
)
def test_a_request_id_that_is_not_ours_to_trust_is_replaced_before_it_is_audited(
    client, clinic, sent
):
    client.force_login(clinic.nurse)
    response = client.get(f"/patients/{clinic.alice.pk}/", HTTP_X_REQUEST_ID=sent)
    issued = response["X-Request-ID"]
    assert issued != sent
    assert len(issued) == 32
    assert issued.isalnum()
    event = AuditEvent.objects.filter(object_type="patient").latest("position")
    assert event.request_id == issued


def test_a_well_formed_request_id_from_the_proxy_is_kept_in_the_trail(client, clinic):
    client.force_login(clinic.nurse)
    client.get(f"/patients/{clinic.alice.pk}/", HTTP_X_REQUEST_ID="3f2a9c1e-proxy-0042")
    event = AuditEvent.objects.filter(object_type="patient").latest("position")
    assert event.request_id == "3f2a9c1e-proxy-0042"


def test_the_api_schema_and_docs_are_behind_login(client, clinic):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 401
    assert schema.json()["errors"][0]["code"] == "not_authenticated"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302
    assert docs.url.startswith("/accounts/login/")
    client.force_login(clinic.nurse)
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Ketaclinic API"
    assert client.get("/api/v1/docs").status_code == 200


def test_an_anonymous_api_call_is_a_401_json_not_a_login_page(client, clinic):
    response = client.post("/api/v1/patients", "{}", content_type="application/json")
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("", "not_authenticated")
    assert error["message"].startswith("Log in first")


def test_an_unknown_view_added_without_a_decorator_is_still_behind_login(client, db, settings):
    settings.ROOT_URLCONF = "tests.web.undecorated_urls"
    response = client.get("/undecorated/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
