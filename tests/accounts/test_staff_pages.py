"""The medical director's staff pages (issue 14, item 3): list, create, roles and sites,
deactivate and reactivate, reset MFA; who may use them; every change audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.personas import PASSWORD, PERSONAS, make_user

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import TotpDevice, User
from ketaclinic.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/accounts/staff/"
NEW = "/accounts/staff/new/"


def _edit(user: User, suffix: str = "") -> str:
    return f"/accounts/staff/{user.pk}/{suffix}"


@pytest.fixture
def as_director(client, clinic):
    client.force_login(clinic.director)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_medical_director_opens_the_staff_pages(client, clinic, persona):
    user = clinic.persona(persona)
    if user is not None:
        client.force_login(user)
    response = client.get(LIST)
    if persona == "director":
        assert response.status_code == 200
    elif persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    assert client.get(_edit(clinic.nurse)).status_code in (302, 403) or persona == "director"


def test_the_list_shows_staff_at_the_directors_sites_only(as_director, clinic):
    response = as_director.get(LIST)
    listed = {row["person"].username for row in response.context["rows"]}
    assert {"fiona", "nadia", "paul", "theo", "dora", "adam", "nobody"} == listed
    assert "bea" not in listed
    assert as_director.get(_edit(clinic.nurse_b)).status_code == 404


def test_the_list_is_paginated_and_its_query_count_does_not_grow_with_staff(as_director, clinic):
    for number in range(30):
        make_user(f"extra{number:02}", Role.NURSE, [clinic.site_a])
    as_director.get(LIST)
    with CaptureQueriesContext(connection) as first:
        page_one = as_director.get(LIST)
    assert len(page_one.context["rows"]) == 25
    assert page_one.context["page"].has_next
    with CaptureQueriesContext(connection) as second:
        page_two = as_director.get(LIST + "?page=2")
    assert len(page_two.context["rows"]) == 12
    assert len(first) == len(second) <= 14


def test_the_list_filters_by_name_and_status(as_director, clinic):
    clinic.therapist.is_active = False
    clinic.therapist.save()
    active = {r["person"].username for r in as_director.get(LIST).context["rows"]}
    assert "theo" not in active
    inactive = as_director.get(LIST, {"status": "inactive"}).context["rows"]
    assert [r["person"].username for r in inactive] == ["theo"]
    found = as_director.get(LIST, {"q": "nad", "status": "all"}).context["rows"]
    assert [r["person"].username for r in found] == ["nadia"]


def _new(**overrides) -> dict:
    data = {
        "username": "nell",
        "first_name": "Nell",
        "last_name": "Carter",
        "email": "nell@example.org",
        "roles": [Role.NURSE],
        "password1": "plum tractor lighthouse 42",
        "password2": "plum tractor lighthouse 42",
    }
    data.update(overrides)
    return data


def test_the_director_creates_an_account_with_roles_and_sites_and_it_is_audited(
    as_director, clinic
):
    response = as_director.post(NEW, _new(sites=[clinic.site_a.pk]))
    assert response.status_code == 302
    nell = User.objects.get(username="nell")
    assert nell.check_password("plum tractor lighthouse 42")
    assert Role.NURSE in nell.role_codes()
    assert list(nell.sites.all()) == [clinic.site_a]
    event = AuditEvent.objects.get(action="create", object_type="user")
    assert event.object_id == str(nell.pk)
    assert event.actor_id == clinic.director.pk
    assert event.detail["roles_added"] == [Role.NURSE]
    assert event.detail["sites_added"] == ["Riverside"]
    assert "plum" not in str(event.detail)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"password1": "aaaaaaaaaaaa", "password2": "aaaaaaaaaaaa"}, "password1", None),
        ({"password2": "something else entirely"}, "password2", None),
        ({"username": "NADIA"}, "username", "username_taken"),
        ({"roles": [Role.ADMIN]}, "roles", "invalid_choice"),
        ({"roles": []}, "roles", "required"),
        ({"sites": []}, "sites", "required"),
        ({"roles": [Role.PRESCRIBER]}, "licence_number", None),
    ],
)
def test_a_bad_new_account_is_refused_with_the_field_named(
    as_director, clinic, overrides, field, code
):
    data = _new(sites=[clinic.site_a.pk])
    data.update(overrides)
    response = as_director.post(NEW, data)
    assert response.status_code == 422
    errors = response.context["form"].errors.as_data()
    assert field in errors
    if code:
        assert errors[field][0].code == code
    assert not User.objects.filter(username=data["username"], first_name="Nell").exists()


def test_a_site_the_director_does_not_work_at_cannot_be_given(as_director, clinic):
    response = as_director.post(NEW, _new(sites=[clinic.site_b.pk]))
    assert response.status_code == 422
    assert "sites" in response.context["form"].errors


def _edit_data(user: User, **overrides) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "licence_number": user.licence_number or "RN-1",
        "roles": [g.name for g in user.groups.all()],
        "sites": [s.pk for s in user.sites.all()],
    }
    data.update(overrides)
    return data


def test_the_director_changes_roles_and_the_change_is_audited(as_director, clinic):
    response = as_director.post(
        _edit(clinic.nurse), _edit_data(clinic.nurse, roles=[Role.NURSE, Role.PRESCRIBER])
    )
    assert response.status_code == 302, response.context["form"].errors
    assert clinic.nurse.groups.filter(name=Role.PRESCRIBER).exists()
    event = AuditEvent.objects.get(action="update", object_id=str(clinic.nurse.pk))
    assert event.detail["roles_added"] == [Role.PRESCRIBER]
    assert event.detail["roles_removed"] == []
    assert event.detail["via"] == "staff_pages"


def test_sites_the_director_does_not_work_at_are_kept(as_director, clinic):
    clinic.nurse.sites.add(clinic.site_b)
    as_director.post(_edit(clinic.nurse), _edit_data(clinic.nurse, sites=[clinic.site_a.pk]))
    assert set(clinic.nurse.sites.all()) == {clinic.site_a, clinic.site_b}


@pytest.mark.parametrize("target", ["director", "admin"])
def test_the_director_cannot_change_their_own_account_or_an_administrator(
    as_director, clinic, target
):
    person = clinic.persona(target)
    assert as_director.get(_edit(person)).status_code == 403
    response = as_director.post(_edit(person, "active/"), {"active": "0"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.is_active


def test_deactivating_stops_log_in_and_reactivating_restores_it(as_director, clinic):
    as_director.post(_edit(clinic.nurse, "active/"), {"active": "0"})
    clinic.nurse.refresh_from_db()
    assert not clinic.nurse.is_active
    from django.test import Client

    other = Client()
    assert not other.login(username="nadia", password=PASSWORD)
    as_director.post(_edit(clinic.nurse, "active/"), {"active": "1"})
    assert other.login(username="nadia", password=PASSWORD)
    changes = list(
        AuditEvent.objects.filter(object_id=str(clinic.nurse.pk), object_type="user")
        .order_by("position")
        .values_list("detail__change", flat=True)
    )
    assert changes == ["deactivated", "reactivated"]


def test_resetting_mfa_makes_the_prescriber_enrol_again(as_director, clinic):
    assert TotpDevice.objects.filter(user=clinic.prescriber).exists()
    response = as_director.post(_edit(clinic.prescriber, "reset-mfa/"))
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=clinic.prescriber).exists()
    assert AuditEvent.objects.filter(detail__change="mfa_reset").count() == 1
    from django.test import Client

    prescriber = Client()
    login = prescriber.post("/accounts/login/", {"username": "paul", "password": PASSWORD})
    assert login["Location"].startswith("/accounts/two-factor/enrol/")


def test_state_changing_staff_actions_need_post(as_director, clinic):
    assert as_director.get(_edit(clinic.nurse, "active/")).status_code == 405
    assert as_director.get(_edit(clinic.prescriber, "reset-mfa/")).status_code == 405
