"""The admin site cannot be used to raise anyone's powers (issue 14, item 3).

Adam (the ``admin`` role, ``is_staff``) tries what the stock ``UserAdmin`` allowed: tick
superuser on himself, give himself the medical director's role, set someone's password, change
the director's account, grant himself permissions through his own role, delete staff from the
changelist. Each is refused and nothing changes; allowed changes land in the audit trail.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _change_form(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(g.pk) for g in user.groups.all()],
        "sites": [str(s.pk) for s in user.sites.all()],
        "licence_number": "",
        "licence_expires_on": "",
        "dea_number": "",
        "dea_expires_on": "",
    }
    data.update(overrides)
    return data


def _url(user: User, suffix: str = "change/") -> str:
    return f"/admin/accounts/user/{user.pk}/{suffix}"


@pytest.fixture
def as_admin(client, clinic):
    client.force_login(clinic.admin)
    return client


def test_the_admin_role_cannot_make_itself_superuser_or_staff_or_give_itself_permissions(
    as_admin, clinic
):
    everything = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    response = as_admin.post(
        _url(clinic.admin),
        _change_form(
            clinic.admin,
            first_name="Adam",
            is_superuser="on",
            is_staff="on",
            user_permissions=everything,
        ),
    )
    assert response.status_code == 302  # the allowed field saved; the others were not fields
    clinic.admin.refresh_from_db()
    assert clinic.admin.first_name == "Adam"
    assert not clinic.admin.is_superuser
    assert clinic.admin.user_permissions.count() == 0
    assert not clinic.admin.has_perm("patients.view_patient")


def test_the_change_form_shows_no_privilege_or_password_fields_to_the_admin_role(as_admin, clinic):
    page = as_admin.get(_url(clinic.admin)).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    assert "password/" not in page


def test_the_admin_role_cannot_give_itself_a_role_with_permissions_it_lacks(as_admin, clinic):
    director_group = Group.objects.get(name=Role.MEDICAL_DIRECTOR)
    groups = [str(g.pk) for g in clinic.admin.groups.all()] + [str(director_group.pk)]
    response = as_admin.post(_url(clinic.admin), _change_form(clinic.admin, groups=groups))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors.as_data()["groups"][0].code == "role_not_grantable"
    assert not clinic.admin.groups.filter(name=Role.MEDICAL_DIRECTOR).exists()


def test_the_admin_role_cannot_set_anyones_password_in_the_admin(as_admin, clinic):
    for target in (clinic.admin, clinic.nurse):
        url = _url(target, "password/")
        assert as_admin.get(url).status_code == 403
        response = as_admin.post(url, {"password1": "x9!Qz7#Lm2$Vb", "password2": "x9!Qz7#Lm2$Vb"})
        assert response.status_code == 403
    clinic.nurse.refresh_from_db()
    assert clinic.nurse.check_password("correct-horse-battery-staple")


def test_the_admin_role_cannot_add_accounts_in_the_admin(as_admin):
    response = as_admin.post(
        "/admin/accounts/user/add/",
        {"username": "mallory", "password1": "x9!Qz7#Lm2$Vb", "password2": "x9!Qz7#Lm2$Vb"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="mallory").exists()


def test_the_admin_role_cannot_change_an_account_more_powerful_than_its_own(as_admin, clinic):
    response = as_admin.post(
        _url(clinic.director), _change_form(clinic.director, is_active="", email="x@evil.test")
    )
    assert response.status_code == 403
    clinic.director.refresh_from_db()
    assert clinic.director.is_active
    assert clinic.director.email == ""


def test_changelist_actions_cannot_delete_or_change_staff(as_admin, clinic):
    response = as_admin.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [clinic.director.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(pk=clinic.director.pk).exists()


def test_the_admin_role_cannot_widen_its_own_role(as_admin, clinic):
    own_group = Group.objects.get(name=Role.ADMIN)
    everything = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    response = as_admin.post(
        f"/admin/auth/group/{own_group.pk}/change/",
        {"name": own_group.name, "permissions": everything},
    )
    assert response.status_code == 403
    assert not own_group.permissions.filter(codename="view_patient").exists()


def test_a_role_holder_who_may_change_roles_can_use_only_permissions_they_hold(client, clinic):
    clinic.admin.user_permissions.add(Permission.objects.get(codename="change_group"))
    client.force_login(User.objects.get(pk=clinic.admin.pk))
    own_group = Group.objects.get(name=Role.ADMIN)
    view_patient = Permission.objects.get(codename="view_patient")
    response = client.post(
        f"/admin/auth/group/{own_group.pk}/change/",
        {
            "name": own_group.name,
            "permissions": [str(p.pk) for p in own_group.permissions.all()]
            + [str(view_patient.pk)],
        },
    )
    assert response.status_code == 200  # "not one of the available choices"
    assert "permissions" in response.context["adminform"].form.errors
    assert not own_group.permissions.filter(pk=view_patient.pk).exists()


def test_changes_made_in_the_admin_are_in_the_audit_trail(as_admin, clinic):
    as_admin.post(_url(clinic.admin), _change_form(clinic.admin, last_name="Admin"))
    event = AuditEvent.objects.filter(object_type="user", object_id=str(clinic.admin.pk)).first()
    assert event is not None
    assert event.actor_id == clinic.admin.pk
    assert event.action == "update"
    assert event.detail["via"] == "admin"
    assert "last_name" in event.detail["fields"]


def test_a_superuser_may_grant_roles_and_the_grant_is_audited(client, clinic):
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    from tests.personas import enrol_totp

    enrol_totp(root)
    client.force_login(root)
    director_group = Group.objects.get(name=Role.MEDICAL_DIRECTOR)
    groups = [str(g.pk) for g in clinic.nurse.groups.all()] + [str(director_group.pk)]
    data = _change_form(
        clinic.nurse, groups=groups, date_joined_0="2026-01-05", date_joined_1="09:00:00"
    )
    response = client.post(_url(clinic.nurse), data)
    assert response.status_code == 302
    assert clinic.nurse.groups.filter(name=Role.MEDICAL_DIRECTOR).exists()
    event = AuditEvent.objects.filter(object_type="user", object_id=str(clinic.nurse.pk)).first()
    assert event.detail["groups_added"] == [Role.MEDICAL_DIRECTOR]
    assert event.detail["groups_removed"] == []


def test_a_change_to_a_roles_permissions_is_audited_with_what_was_added(client, clinic):
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    group = Group.objects.get(name=Role.THERAPIST)
    view_ledger = Permission.objects.get(codename="view_ledgerentry")
    permissions = [str(p.pk) for p in group.permissions.all()] + [str(view_ledger.pk)]
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": permissions}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="role", object_id=str(group.pk))
    assert event.actor_id == root.pk
    assert len(event.detail["permissions_added"]) == 1
    assert "ledger entry" in event.detail["permissions_added"][0]
