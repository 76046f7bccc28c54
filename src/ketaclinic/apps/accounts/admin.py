"""The admin site for sites, staff and roles, limited so no role can raise itself or others.

Django's stock ``UserAdmin`` lets anyone with ``change_user`` tick "superuser", add any group
or permission and set anyone's password. Here (see ``granting.py``) a member of staff who is
not a superuser cannot see those fields as editable, cannot grant or take away a role holding
permissions they lack, cannot change an account more powerful than their own, and cannot set
or add passwords (staff are created, and their MFA reset, on the medical director's staff
pages). Every change made here goes to the audit trail as well as Django's admin log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from ketaclinic.apps.accounts.forms.login import ThrottledAdminAuthenticationForm
from ketaclinic.apps.accounts.granting import (
    may_change_account,
    may_grant_group,
    permission_codes,
    ungrantable,
)
from ketaclinic.apps.accounts.models import Organisation, Site, User
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event

admin.site.login_form = ThrottledAdminAuthenticationForm

PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "user_permissions")


def _names(objects: Any) -> list[str]:
    return sorted(str(item) for item in objects)


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete made in the admin in the hash-chained trail."""

    audit_object_type = ""

    def audit_detail(self, form: Any) -> dict:
        return {}

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = {
            name: list(form.initial.get(name) or [])
            for name, field in form.fields.items()
            if hasattr(field, "queryset") and name in form.changed_data
        }
        super().save_related(request, form, formsets, change)
        detail: dict[str, Any] = {"via": "admin", "fields": sorted(form.changed_data)}
        for name, old in before.items():
            new = list(getattr(form.instance, name).all())
            old_ids = {getattr(item, "pk", item) for item in old}
            new_ids = {item.pk for item in new}
            detail[f"{name}_added"] = _names(i for i in new if i.pk not in old_ids)
            detail[f"{name}_removed"] = _names(
                i
                for i in form.fields[name].queryset.model.objects.filter(pk__in=old_ids)
                if i.pk not in new_ids
            )
        detail.update(self.audit_detail(form))
        record_event(
            request,
            Action.UPDATE if change else Action.CREATE,
            object_type=self.audit_object_type,
            object_id=form.instance.pk,
            detail=detail,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_event(
            request,
            Action.DELETE,
            object_type=self.audit_object_type,
            object_id=obj.pk,
            detail={"via": "admin", "name": str(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record_event(
                request,
                Action.DELETE,
                object_type=self.audit_object_type,
                object_id=obj.pk,
                detail={"via": "admin", "name": str(obj)},
            )
        super().delete_queryset(request, queryset)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    audit_object_type = "organisation"
    list_display = ("name",)


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    audit_object_type = "site"
    list_display = (
        "name",
        "organisation",
        "timezone",
        "chairs",
        "esketamine_label",
        "dea_registration",
    )
    prepopulated_fields = {"slug": ("name",)}


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    audit_object_type = "user"
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Clinic",
            {
                "fields": (
                    "sites",
                    "licence_number",
                    "licence_expires_on",
                    "dea_number",
                    "dea_expires_on",
                )
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions", "sites")
    list_display = ("username", "first_name", "last_name", "email", "is_active")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        hidden = {*PRIVILEGE_FIELDS, "password"}
        return tuple(
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
            for name, options in fieldsets
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return (*readonly, "last_login", "date_joined")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Adding sets a password; staff are created on the medical director's staff pages.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_account(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_account(request.user, obj))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        if not request.user.is_superuser:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            record_event(
                request,
                Action.PASSWORD_CHANGE,
                object_type="user",
                object_id=id,
                detail={"via": "admin"},
            )
        return response

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        class GuardedUserForm(form):
            def clean_groups(self) -> Any:
                groups = self.cleaned_data["groups"]
                before = list(self.instance.groups.all()) if self.instance.pk else []
                refused = ungrantable(actor, before, groups)
                if refused:
                    raise ValidationError(
                        "You cannot give or take away a role with permissions you do not "
                        "hold: %(roles)s.",
                        code="role_not_grantable",
                        params={"roles": ", ".join(group.name for group in refused)},
                    )
                return groups

        return GuardedUserForm


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, DjangoGroupAdmin):
    """Roles. A role is changed only by someone holding all its permissions, and only with
    permissions they hold (``roles.py`` resets the built-in roles after each migrate)."""

    audit_object_type = "role"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_grant_group(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_grant_group(request.user, obj))

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "permissions" and not request.user.is_superuser:
            held = permission_codes(request.user)
            ids = [
                pk
                for pk, app, codename in Permission.objects.values_list(
                    "pk", "content_type__app_label", "codename"
                )
                if f"{app}.{codename}" in held
            ]
            kwargs["queryset"] = Permission.objects.filter(pk__in=ids).select_related(
                "content_type"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
