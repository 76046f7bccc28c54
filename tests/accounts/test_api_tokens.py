"""API tokens: a script calls the API as its owner, narrowed to the token's permissions and
sites; expired, revoked and unknown tokens are 401 in the envelope; every use is audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest
from django.test import Client

from ketaclinic.apps.accounts.api_tokens import ApiToken, issue_token, token_hash
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.cli import main
from ketaclinic.clinical.exceptions import InputError

pytestmark = pytest.mark.django_db

VIEW_PATIENTS = "patients.view_patient"


def bearer(text: str) -> Client:
    """A client with no session at all, as a script is."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def make(owner, clinic, *permissions: str, sites=None, days: int = 30):
    site_ids = [s.pk for s in (sites or [clinic.site_a])]
    return issue_token(
        owner,
        name="export",
        permissions=permissions or [VIEW_PATIENTS],
        site_ids=site_ids,
        days=days,
    )


def only_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    [error] = response.json()["errors"]
    assert set(error) == {"field", "message", "code"}
    return error


def test_only_a_hash_of_the_token_is_kept_and_its_prefix_shown(clinic):
    token, text = make(clinic.nurse, clinic)
    assert text.startswith(f"kc_{token.prefix}_")
    assert len(text) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert text not in json.dumps(stored, default=str)
    assert stored["secret_hash"] == token_hash(text)
    assert token.shown == f"kc_{token.prefix}_…"
    created = AuditEvent.objects.get(object_type="api_token", action="create")
    assert text not in json.dumps(created.detail)


@pytest.mark.parametrize(
    ("permissions", "sites", "days", "field"),
    [
        (["ledger.destroy_stock"], "a", 30, "permissions"),  # a nurse does not destroy stock
        ([], "a", 30, "permissions"),
        ([VIEW_PATIENTS], "b", 30, "sites"),  # she does not work at site B
        ([VIEW_PATIENTS], "", 30, "sites"),
        ([VIEW_PATIENTS], "a", 366, "days"),
        ([VIEW_PATIENTS], "a", 0, "days"),
    ],
)
def test_a_token_cannot_carry_more_than_its_owner_holds(clinic, permissions, sites, days, field):
    site_ids = {"a": [clinic.site_a.pk], "b": [clinic.site_b.pk], "": []}[sites]
    with pytest.raises(InputError) as refused:
        issue_token(clinic.nurse, name="x", permissions=permissions, site_ids=site_ids, days=days)
    assert refused.value.field == field


def test_a_script_reads_patients_with_a_token_and_each_use_is_audited(clinic):
    token, text = make(clinic.nurse, clinic)
    response = bearer(text).get("/api/v1/patients")
    assert response.status_code == 200
    assert [p["mrn"] for p in response.json()["items"]] == [clinic.alice.mrn]
    use = AuditEvent.objects.get(object_type="api_token", action="login")
    assert (use.actor_id, use.detail["prefix"], use.path) == (
        clinic.nurse.pk,
        token.prefix,
        "/api/v1/patients",
    )
    listing = AuditEvent.objects.filter(path="/api/v1/patients").exclude(pk=use.pk).get()
    assert listing.actor_id == clinic.nurse.pk
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_narrows_its_owner_permissions(clinic):
    _token, text = make(clinic.nurse, clinic, "alerts.view_alert")
    error = only_error(bearer(text).get("/api/v1/patients"), 403)
    assert error["code"] == "permission_denied"
    assert bearer(text).get("/api/v1/alerts").status_code == 200


def test_a_token_narrows_its_owner_sites(clinic):
    clinic.nurse.sites.add(clinic.site_b)
    _token, text = make(clinic.nurse, clinic, sites=[clinic.site_b])
    listed = bearer(text).get("/api/v1/patients").json()["items"]
    assert [p["mrn"] for p in listed] == [clinic.bob.mrn]
    only_error(bearer(text).get(f"/api/v1/patients/{clinic.alice.pk}"), 404)


def test_a_lost_site_or_role_is_lost_for_the_token_too(clinic):
    _token, text = make(clinic.nurse, clinic)
    clinic.nurse.sites.set([clinic.site_b])
    assert bearer(text).get("/api/v1/patients").json()["items"] == []
    clinic.nurse.groups.clear()
    only_error(bearer(text).get("/api/v1/patients"), 403)


def test_a_token_writes_without_csrf(clinic):
    _token, text = make(clinic.front_desk, clinic, VIEW_PATIENTS, "patients.add_patient")
    body = {
        "site_id": clinic.site_a.pk,
        "given_name": "Cara",
        "family_name": "Mendes",
        "date_of_birth": "1990-01-01",
        "sex_at_birth": "female",
    }
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {text}")
    response = client.post("/api/v1/patients", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    created = AuditEvent.objects.get(object_type="patient", action="create")
    assert created.actor_id == clinic.front_desk.pk


def _expire(token, fixed_clock):
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=fixed_clock.now() - dt.timedelta(days=30), expires_at=fixed_clock.now()
    )


@pytest.mark.parametrize("case", ["expired", "revoked", "unknown", "malformed", "deactivated"])
def test_a_bad_token_is_a_401_in_the_envelope_and_audited(clinic, fixed_clock, case):
    token, text = make(clinic.nurse, clinic)
    if case == "expired":
        _expire(token, fixed_clock)
    elif case == "revoked":
        token.revoked_at = fixed_clock.now()
        token.save()
    elif case == "unknown":
        text = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    elif case == "malformed":
        text = "not-a-token"
    else:
        clinic.nurse.is_active = False
        clinic.nurse.save()
    error = only_error(bearer(text).get("/api/v1/patients"), 401)
    assert (error["field"], error["code"]) == ("", "not_authenticated")
    refused = AuditEvent.objects.get(object_type="api_token", action="access_denied")
    assert refused.outcome == "denied"
    assert refused.detail["reason"] == error["message"]
    assert not AuditEvent.objects.filter(object_type="patient").exists()


def test_a_bad_token_never_falls_back_to_the_browser_session(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get("/api/v1/patients", HTTP_AUTHORIZATION="Bearer kc_00000000_" + "x" * 43)
    only_error(response, 401)
    assert client.get("/api/v1/patients").status_code == 200


def test_the_schema_answers_a_script_with_a_token(clinic):
    _token, text = make(clinic.nurse, clinic)
    assert bearer(text).get("/api/v1/openapi.json").json()["info"]["title"] == "Ketaclinic API"
    only_error(bearer("kc_00000000_" + "y" * 43).get("/api/v1/openapi.json"), 401)


def test_the_tokens_page_makes_a_token_shown_once(client, clinic):
    client.force_login(clinic.nurse)
    page = client.post(
        "/accounts/tokens/",
        {
            "name": "Vitals export",
            "days": "30",
            "permissions": [VIEW_PATIENTS],
            "sites": [clinic.site_a.pk],
        },
    )
    assert page.status_code == 200
    text = page.context["made"]["text"]
    assert text in page.content.decode()
    again = client.get("/accounts/tokens/").content.decode()
    assert text not in again
    assert f"kc_{text.split('_')[1]}_" in again
    assert bearer(text).get("/api/v1/patients").status_code == 200


def test_the_tokens_page_refuses_a_wider_scope_naming_the_field(client, clinic):
    client.force_login(clinic.nurse)
    page = client.post(
        "/accounts/tokens/",
        {"name": "x", "days": "30", "permissions": ["ledger.destroy_stock"], "sites": []},
    )
    assert page.status_code == 422
    assert set(page.context["form"].errors) == {"permissions", "sites"}
    assert not ApiToken.objects.exists()


def test_owner_and_director_revoke_others_cannot(client, clinic):
    token, text = make(clinic.nurse, clinic)
    for stranger in (clinic.prescriber, clinic.nurse_b):
        client.force_login(stranger)
        assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(clinic.director)
    assert token.prefix.encode() in client.get("/accounts/tokens/").content
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == clinic.director
    only_error(bearer(text).get("/api/v1/patients"), 401)
    own, _ = make(clinic.nurse, clinic)
    client.force_login(clinic.nurse)
    assert client.post(f"/accounts/tokens/{own.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=own.pk).revoked_at is not None
    revoked = AuditEvent.objects.filter(object_type="api_token", action="delete")
    assert sorted(revoked.values_list("actor__username", flat=True)) == ["dora", "nadia"]


def test_the_command_line_creates_lists_and_revokes(clinic):
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(
            [
                "accounts",
                "token",
                "create",
                "nadia",
                "--name",
                "nightly",
                "--permission",
                VIEW_PATIENTS,
                "--site",
                "riverside",
                "--json",
            ]
        )
    assert code == 0
    made = json.loads(out.getvalue())
    assert bearer(made["token"]).get("/api/v1/patients").status_code == 200
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["accounts", "token", "list", "--json"]) == 0
    [listed] = json.loads(out.getvalue())
    assert (listed["prefix"], listed["state"], "token" in listed) == (
        made["prefix"],
        "active",
        False,
    )
    with redirect_stdout(io.StringIO()):
        assert main(["accounts", "token", "revoke", made["prefix"]]) == 0
    only_error(bearer(made["token"]).get("/api/v1/patients"), 401)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--permission", "ledger.destroy_stock", "--site", "riverside"], "permissions"),
        (["--permission", VIEW_PATIENTS, "--site", "nowhere"], "site"),
        (["--permission", VIEW_PATIENTS, "--site", "riverside", "--days", "900"], "days"),
    ],
)
def test_the_command_line_refuses_a_bad_scope_in_one_line(clinic, extra, field):
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        assert main(["accounts", "token", "create", "nadia", "--name", "x", *extra]) == 2
    [line] = err.getvalue().strip().splitlines()
    assert f": {field}:" in line


def test_a_token_expires_on_the_day_it_says(clinic, fixed_clock):
    token, _text = make(clinic.nurse, clinic, days=30)
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert token.state(fixed_clock.now()) == "active"
    assert token.state(fixed_clock.now() + dt.timedelta(days=30)) == "expired"
