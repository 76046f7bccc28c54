"""Two-factor log-in: required for prescribers, directors and admins, optional for others;
TOTP codes are single use; recovery codes are hashed and single use (issue 14, item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.personas import PASSWORD, totp_code

from ketaclinic.apps.accounts.models import RecoveryCode, TotpDevice
from ketaclinic.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CODE_PAGE = "/accounts/two-factor/code/"
ENROL_PAGE = "/accounts/two-factor/enrol/"


def _password_login(client, username: str, url: str = "/accounts/login/", next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def test_an_enrolled_prescriber_types_a_code_after_the_password(client, clinic, fixed_clock):
    response = _password_login(client, "paul", next_url="/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_PAGE)
    held = client.get("/patients/")
    assert held.status_code == 302
    assert held["Location"].startswith(CODE_PAGE)
    api = client.get("/api/v1/patients")
    assert api.status_code == 403
    [error] = api.json()["errors"]
    assert "two-factor" in error["message"]
    assert error["code"] == "mfa_required"

    wrong = client.post(CODE_PAGE, {"code": "000000", "next": "/patients/"})
    assert wrong.status_code == 422
    assert "did not match" in wrong.content.decode()
    right = client.post(CODE_PAGE, {"code": totp_code(clinic.prescriber), "next": "/patients/"})
    assert right.status_code == 302
    assert right["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200
    methods = AuditEvent.objects.filter(object_type="mfa").values_list("outcome", "detail")
    assert sorted(methods) == [
        ("denied", {"method": "wrong_code"}),
        ("success", {"method": "totp"}),
    ]


def test_a_code_is_refused_the_second_time(client, clinic, fixed_clock):
    code = totp_code(clinic.prescriber)
    _password_login(client, "paul")
    assert client.post(CODE_PAGE, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    _password_login(client, "paul")
    assert client.post(CODE_PAGE, {"code": code}).status_code == 422
    fixed_clock.moment += dt.timedelta(seconds=30)
    assert client.post(CODE_PAGE, {"code": totp_code(clinic.prescriber)}).status_code == 302


def test_a_code_one_step_old_is_accepted_and_two_steps_old_is_not(client, clinic, fixed_clock):
    old = totp_code(clinic.prescriber, fixed_clock.moment - dt.timedelta(seconds=60))
    previous = totp_code(clinic.prescriber, fixed_clock.moment - dt.timedelta(seconds=30))
    _password_login(client, "paul")
    assert client.post(CODE_PAGE, {"code": old}).status_code == 422
    assert client.post(CODE_PAGE, {"code": previous}).status_code == 302


def test_five_wrong_codes_lock_the_second_step(client, clinic, fixed_clock):
    _password_login(client, "paul")
    for _ in range(5):
        client.post(CODE_PAGE, {"code": "000000"})
    locked = client.post(CODE_PAGE, {"code": totp_code(clinic.prescriber)})
    assert locked.status_code == 422
    assert "Too many wrong codes" in locked.content.decode()


def test_the_admin_sites_log_in_also_asks_for_the_code(client, clinic, fixed_clock):
    response = _password_login(client, "adam", url="/admin/login/", next_url="/admin/")
    assert response.status_code == 302
    held = client.get("/admin/")
    assert held["Location"].startswith(CODE_PAGE)


def test_a_nurse_without_an_authenticator_logs_in_with_the_password(client, clinic):
    response = _password_login(client, "nadia")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/patients/").status_code == 200


def test_a_prescriber_without_an_authenticator_must_enrol_first(client, clinic, fixed_clock):
    TotpDevice.objects.filter(user=clinic.prescriber).delete()
    response = _password_login(client, "paul")
    assert response["Location"].startswith(ENROL_PAGE)
    assert client.get("/patients/")["Location"].startswith(ENROL_PAGE)

    page = client.get(ENROL_PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "<script>" not in html.split("<body>")[1]
    device = TotpDevice.objects.get(user=clinic.prescriber)
    assert device.confirmed_at is None
    assert client.get(ENROL_PAGE).context["secret"].replace(" ", "") == device.secret

    bad = client.post(ENROL_PAGE, {"code": "12345"})
    assert bad.status_code == 422
    assert bad.context["form"].errors.as_data()["code"][0].code == "not_six_digits"

    import pyotp

    done = client.post(ENROL_PAGE, {"code": pyotp.TOTP(device.secret).at(fixed_clock.moment)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    stored = list(RecoveryCode.objects.filter(user=clinic.prescriber))
    assert len(stored) == 10
    assert not {r.code_hash for r in stored} & {c.replace("-", "") for c in codes}
    assert client.get("/patients/").status_code == 200
    assert AuditEvent.objects.filter(detail__change="mfa_enrolled").count() == 1


def test_a_nurse_may_enrol_and_is_then_asked_for_codes(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    client.get(ENROL_PAGE)
    device = TotpDevice.objects.get(user=clinic.nurse)
    import pyotp

    client.post(ENROL_PAGE, {"code": pyotp.TOTP(device.secret).at(fixed_clock.moment)})
    client.post("/accounts/logout/")
    response = _password_login(client, "nadia")
    assert response["Location"].startswith(CODE_PAGE)


def test_a_recovery_code_logs_in_once(client, clinic, fixed_clock):
    from ketaclinic.apps.accounts.mfa import new_recovery_codes

    codes = new_recovery_codes(clinic.prescriber)
    _password_login(client, "paul")
    assert client.post(CODE_PAGE, {"code": codes[0].lower()}).status_code == 302
    client.post("/accounts/logout/")
    _password_login(client, "paul")
    assert client.post(CODE_PAGE, {"code": codes[0]}).status_code == 422
    assert client.post(CODE_PAGE, {"code": codes[1]}).status_code == 302
    assert RecoveryCode.objects.filter(user=clinic.prescriber, used_at__isnull=True).count() == 8


def test_new_recovery_codes_need_a_current_code(client, clinic, fixed_clock):
    client.force_login(clinic.prescriber)
    refused = client.post("/accounts/two-factor/", {"code": "000000"})
    assert refused.status_code == 422
    made = client.post("/accounts/two-factor/", {"code": totp_code(clinic.prescriber)})
    assert made.status_code == 200
    assert len(made.context["codes"]) == 10


def test_a_new_log_in_owes_the_code_again(client, clinic, fixed_clock):
    client.force_login(clinic.prescriber)
    assert client.get("/patients/").status_code == 200
    client.post("/accounts/logout/")
    _password_login(client, "paul")
    assert client.get("/patients/")["Location"].startswith(CODE_PAGE)
