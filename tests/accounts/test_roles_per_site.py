"""Roles are held per site: a prescriber at Riverside who is front desk at Lakeview
prescribes only at Riverside, and sees Lakeview's patients as front desk does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.personas import PASSWORD, PersonaClient, enrol_totp

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.mfa import mfa_required
from ketaclinic.apps.accounts.models import SiteRole, User
from ketaclinic.apps.accounts.scoping import (
    access_for,
    get_for_user_or_404,
    holds_at,
    restrict,
    site_ids_for,
)
from ketaclinic.apps.patients.models import Patient

PRESCRIBE = "homeprogram.add_homeprescription"
pytestmark = pytest.mark.django_db


@pytest.fixture
def split(clinic) -> User:
    """Priya: prescriber at Riverside (site A), front desk at Lakeview (site B)."""
    user = User.objects.create(username="priya", first_name="Priya", licence_number="L-1")
    user.set_password(PASSWORD)
    user.save()
    user.sites.set([clinic.site_a, clinic.site_b])
    SiteRole.objects.create(
        user=user, site=clinic.site_a, group=Group.objects.get(name=Role.PRESCRIBER)
    )
    SiteRole.objects.create(
        user=user, site=clinic.site_b, group=Group.objects.get(name=Role.FRONT_DESK)
    )
    enrol_totp(user)
    return User.objects.get(pk=user.pk)


def test_a_site_role_holds_its_permissions_at_that_site_only(clinic, split):
    assert holds_at(split, PRESCRIBE, clinic.site_a)
    assert not holds_at(split, PRESCRIBE, clinic.site_b)
    assert holds_at(split, "patients.view_patient", clinic.site_b)
    assert site_ids_for(split, PRESCRIBE) == [clinic.site_a.pk]
    assert site_ids_for(split, "patients.view_patient") == sorted(
        [clinic.site_a.pk, clinic.site_b.pk]
    )


def test_has_perm_answers_anywhere_and_restrict_answers_where(clinic, split):
    assert split.has_perm(PRESCRIBE)
    assert list(restrict(Patient, split, PRESCRIBE)) == [clinic.alice]
    assert set(restrict(Patient, split, "patients.view_patient")) == {clinic.alice, clinic.bob}


def test_site_roles_count_as_roles_for_two_factor(split):
    assert Role.PRESCRIBER in split.role_codes()
    assert mfa_required(split)


def test_access_is_one_query_and_kept_for_the_request(split):
    with CaptureQueriesContext(connection) as queries:
        access_for(split)
        split.has_perm(PRESCRIBE)
        site_ids_for(split, PRESCRIBE)
        access_for(split)
    assert len(queries) == 1
    assert "UNION" in queries[0]["sql"].upper()


def test_get_for_user_or_404_refuses_the_site_where_the_role_is_not_held(clinic, split):
    from django.http import Http404

    assert get_for_user_or_404(Patient, split, PRESCRIBE, pk=clinic.alice.pk) == clinic.alice
    with pytest.raises(Http404):
        get_for_user_or_404(Patient, split, PRESCRIBE, pk=clinic.bob.pk)


def test_the_prescription_page_opens_at_site_a_and_is_a_404_at_site_b(clinic, split):
    client = PersonaClient()
    client.force_login(split)
    url = "homeprogram:prescribe"
    assert client.get(reverse(url, args=[clinic.alice.pk])).status_code == 200
    assert client.get(reverse(url, args=[clinic.bob.pk])).status_code == 404
    assert client.post(reverse(url, args=[clinic.bob.pk]), {}).status_code == 404


def test_front_desk_work_at_site_b_still_opens(clinic, split):
    client = PersonaClient()
    client.force_login(split)
    assert client.get(reverse("patients:detail", args=[clinic.bob.pk])).status_code == 200


def test_a_group_role_still_applies_at_every_site_the_person_works_at(clinic):
    clinic.nurse.sites.add(clinic.site_b)
    nurse = User.objects.get(pk=clinic.nurse.pk)
    assert site_ids_for(nurse, "ledger.view_ledgerentry") == sorted(
        [clinic.site_a.pk, clinic.site_b.pk]
    )


def _site_roles_post(person: User, clinic, at_a: list[str], at_b: list[str]) -> dict:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "licence_number": "L-9",
        "roles": [],
        "sites": [],
        f"site_roles_{clinic.site_a.pk}": at_a,
        f"site_roles_{clinic.site_b.pk}": at_b,
    }


def test_the_director_gives_roles_per_site_on_the_staff_pages_and_each_change_is_audited(
    clinic,
):
    from ketaclinic.apps.audit.models import AuditEvent

    clinic.director.sites.add(clinic.site_b)
    director = PersonaClient()
    director.force_login(clinic.director)
    fiona = clinic.front_desk
    url = f"/accounts/staff/{fiona.pk}/"
    page = director.get(url)
    assert f"site_roles_{clinic.site_b.pk}" in page.context["form"].fields

    response = director.post(
        url, _site_roles_post(fiona, clinic, [Role.PRESCRIBER], [Role.FRONT_DESK])
    )
    assert response.status_code == 302, response.context["form"].errors
    assert not fiona.groups.exists()
    assert set(fiona.sites.all()) == {clinic.site_a, clinic.site_b}
    assert set(SiteRole.objects.filter(user=fiona).values_list("site__slug", "group__name")) == {
        ("riverside", Role.PRESCRIBER),
        ("lakeview", Role.FRONT_DESK),
    }
    event = AuditEvent.objects.filter(object_type="user", object_id=str(fiona.pk)).latest("id")
    assert event.actor_id == clinic.director.pk
    assert event.detail["site_roles_added"] == ["front_desk at Lakeview", "prescriber at Riverside"]
    assert event.detail["roles_removed"] == [Role.FRONT_DESK]

    enrol_totp(fiona)
    as_fiona = PersonaClient()
    as_fiona.force_login(User.objects.get(pk=fiona.pk))
    assert as_fiona.get(reverse("homeprogram:prescribe", args=[clinic.alice.pk])).status_code == 200
    assert as_fiona.get(reverse("homeprogram:prescribe", args=[clinic.bob.pk])).status_code == 404

    response = director.post(url, _site_roles_post(fiona, clinic, [], [Role.FRONT_DESK]))
    assert response.status_code == 302, response.context["form"].errors
    event = AuditEvent.objects.filter(object_type="user", object_id=str(fiona.pk)).latest("id")
    assert event.detail["site_roles_removed"] == ["prescriber at Riverside"]
    assert event.detail["sites_removed"] == ["Riverside"]
    assert list(SiteRole.objects.filter(user=fiona).values_list("site__slug", flat=True)) == [
        "lakeview"
    ]


def test_a_role_at_a_site_the_director_does_not_manage_cannot_be_given(clinic):
    director = PersonaClient()
    director.force_login(clinic.director)
    fiona = clinic.front_desk
    data = _site_roles_post(fiona, clinic, [Role.FRONT_DESK], [Role.PRESCRIBER])
    response = director.post(f"/accounts/staff/{fiona.pk}/", data)
    assert response.status_code == 302
    assert not SiteRole.objects.filter(user=fiona, site=clinic.site_b).exists()
