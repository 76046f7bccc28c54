"""Who may give which powers to whom: the one rule the admin site and the staff pages share.

Nobody hands out what they do not hold. A role (group) may be granted or taken away only by
someone who holds every permission in it; an account may be changed only by someone who holds
every permission that account has, so an administrator cannot lock out or rename the medical
director, and a director cannot touch an administrator. Superuser status, single permissions
and ``is_staff`` are granted by a superuser only (``ketaclinic`` command line), never by a role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission

from ketaclinic.apps.accounts.choices import Role

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from ketaclinic.apps.accounts.models import User

__all__ = [
    "MANAGED_ROLES",
    "MANAGE_STAFF_PERMISSION",
    "grantable_groups",
    "may_change_account",
    "may_grant_group",
    "may_manage",
    "permission_codes",
    "staff_visible_to",
    "ungrantable",
]


def permission_codes(user: User) -> frozenset[str]:
    """Every ``app_label.codename`` the user holds (roles and own permissions)."""
    if not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(
            f"{app}.{code}"
            for app, code in Permission.objects.values_list("content_type__app_label", "codename")
        )
    return frozenset(user.get_all_permissions())


def _group_codes(groups: Iterable[Group]) -> dict[int, frozenset[str]]:
    ids = [group.pk for group in groups]
    codes: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = Group.permissions.through.objects.filter(group_id__in=ids).values_list(
        "group_id", "permission__content_type__app_label", "permission__codename"
    )
    for group_id, app, codename in rows:
        codes[group_id].add(f"{app}.{codename}")
    return {pk: frozenset(found) for pk, found in codes.items()}


def may_grant_group(granter: User, group: Group) -> bool:
    held = permission_codes(granter)
    return _group_codes([group])[group.pk] <= held


def grantable_groups(granter: User) -> QuerySet[Group]:
    """The groups whose every permission ``granter`` holds."""
    held = permission_codes(granter)
    groups = list(Group.objects.all())
    allowed = [pk for pk, codes in _group_codes(groups).items() if codes <= held]
    return Group.objects.filter(pk__in=allowed).order_by("name")


def ungrantable(granter: User, before: Iterable[Group], after: Iterable[Group]) -> list[Group]:
    """The groups added or removed between ``before`` and ``after`` that ``granter`` may not
    grant (taking a role away is as much a change of power as giving it)."""
    before_ids = {group.pk: group for group in before}
    after_ids = {group.pk: group for group in after}
    changed = [
        group
        for pk, group in {**before_ids, **after_ids}.items()
        if (pk in before_ids) != (pk in after_ids)
    ]
    if not changed:
        return []
    held = permission_codes(granter)
    codes = _group_codes(changed)
    return sorted((group for group in changed if not codes[group.pk] <= held), key=lambda g: g.name)


def may_change_account(actor: User, target: User) -> bool:
    """``actor`` may change ``target`` only if ``target`` holds nothing ``actor`` lacks.

    Superuser and admin-site (``is_staff``) accounts are changed by superusers only.
    """
    if actor.is_superuser:
        return True
    if target.is_superuser or (target.is_staff and target.pk != actor.pk):
        return False
    # An inactive account holds no permissions; judge it by the roles it would get back.
    own = target.user_permissions.values_list("content_type__app_label", "codename")
    groups = {*target.groups.all(), *(row.group for row in target.site_roles.all())}
    target_codes = {f"{app}.{codename}" for app, codename in own} | {
        code for codes in _group_codes(groups).values() for code in codes
    }
    return target_codes <= permission_codes(actor)


# --- the medical director's staff pages ------------------------------------------------------

MANAGE_STAFF_PERMISSION = "accounts.manage_staff"
# The roles a holder of ``accounts.manage_staff`` gives and takes away on the staff pages. The
# administrator role is not among them (it opens the admin site: a superuser grants it).
MANAGED_ROLES = (
    Role.FRONT_DESK,
    Role.NURSE,
    Role.PRESCRIBER,
    Role.THERAPIST,
    Role.MEDICAL_DIRECTOR,
)


def staff_visible_to(manager: User) -> QuerySet[User]:
    """Staff who work at one of the manager's sites (superusers are never listed)."""
    from ketaclinic.apps.accounts.scoping import staff_at

    return staff_at(manager, MANAGE_STAFF_PERMISSION).filter(is_superuser=False)


def may_manage(manager: User, target: User) -> bool:
    """The staff pages change ``target`` only if it is someone else, has no admin-site or
    superuser powers and no permission of its own, and each of its groups is a managed role.
    ``target`` must come from ``staff_visible_to`` (site scoping); its groups and site roles
    (with their groups) may be prefetched."""
    if target.pk == manager.pk or target.is_superuser or target.is_staff:
        return False
    if not manager.has_perm(MANAGE_STAFF_PERMISSION):
        return False
    names = {group.name for group in target.groups.all()}
    names |= {row.group.name for row in target.site_roles.all()}
    if not names <= set(MANAGED_ROLES):
        return False
    return not target.user_permissions.all()
