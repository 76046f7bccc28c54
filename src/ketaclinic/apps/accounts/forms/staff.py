"""The medical director's staff forms: an account, its roles and its sites."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.granting import MANAGE_STAFF_PERMISSION, MANAGED_ROLES
from ketaclinic.apps.accounts.models import Site, SiteRole, User
from ketaclinic.apps.accounts.scoping import at_sites, sites_for
from ketaclinic.apps.web.form_fields import model_choice_field

__all__ = ["StaffCreateForm", "StaffFilterForm", "StaffForm"]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


ROLE_CHOICES = [(role.value, role.label) for role in MANAGED_ROLES]
SITE_ROLES_PREFIX = "site_roles_"


class StaffForm(forms.ModelForm):
    """Name, contact, licences, roles and sites. Sites are the manager's own; sites the
    person also works at elsewhere are kept as they are, and so are their roles there.

    Roles come two ways: ``roles`` apply at every site they work at; "Roles at <site> only"
    (one field per site of the manager's, ``site_roles_<site id>``) apply at that site
    alone — a prescriber at one clinic who covers the front desk at another."""

    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What they may do, at every site ticked below.",
    )
    sites: forms.ModelMultipleChoiceField[Site] = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Where they work.",
    )

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "licence_number",
            "licence_expires_on",
            "dea_number",
            "dea_expires_on",
        ]
        widgets = {"licence_expires_on": DATE_INPUT, "dea_expires_on": DATE_INPUT}

    field_order = ["first_name", "last_name", "email", "roles", "sites"]

    def __init__(self, *args: Any, manager: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        managed = sites_for(manager, MANAGE_STAFF_PERMISSION).order_by("name")
        model_choice_field(self, "sites").queryset = managed
        self.fields["first_name"].required = True
        self.managed_sites = list(managed)
        held: dict[int, list[str]] = {}
        if self.instance.pk:
            self.initial["roles"] = [g.name for g in self.instance.groups.all()]
            self.initial["sites"] = [
                site for site in self.instance.sites.all() if site in self.managed_sites
            ]
            for site_id, name in SiteRole.objects.filter(user=self.instance).values_list(
                "site_id", "group__name"
            ):
                held.setdefault(site_id, []).append(name)
        for site in self.managed_sites:
            self.fields[f"{SITE_ROLES_PREFIX}{site.pk}"] = forms.MultipleChoiceField(
                choices=ROLE_CHOICES,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=f"Roles at {site.name} only",
                initial=held.get(site.pk, []),
            )
        self.order_fields(
            [*self.field_order, *(f"{SITE_ROLES_PREFIX}{site.pk}" for site in self.managed_sites)]
        )

    def site_roles(self) -> dict:
        """{site: set of role names} from the per-site fields (cleaned)."""
        return {
            site: set(self.cleaned_data.get(f"{SITE_ROLES_PREFIX}{site.pk}") or [])
            for site in self.managed_sites
        }

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        by_site = self.site_roles()
        every_site = set(cleaned.get("roles") or [])
        roles = every_site.union(*by_site.values())
        if not roles and "roles" not in self.errors:
            self.add_error("roles", forms.ValidationError("Give at least one role.", "required"))
        ticked = set(cleaned.get("sites") or []) | {s for s, names in by_site.items() if names}
        if not ticked and "sites" not in self.errors:
            self.add_error("sites", forms.ValidationError("Tick where they work.", "required"))
        if Role.PRESCRIBER in roles and not cleaned.get("licence_number"):
            self.add_error("licence_number", "A prescriber needs a licence number.")
        if cleaned.get("dea_number") and not cleaned.get("dea_expires_on"):
            self.add_error("dea_expires_on", "Give the DEA registration's expiry date.")
        return cleaned

    def save_roles_and_sites(self, user: User) -> dict[str, list[str]]:
        """Set the roles, the roles per site and this manager's sites (a site where they hold
        a role is one they work at); what changed, for the audit trail."""
        before_roles = {g.name for g in user.groups.all()}
        after_roles = set(self.cleaned_data["roles"])
        user.groups.set(Group.objects.filter(name__in=after_roles))
        own = set(self.managed_sites)
        by_site = self.site_roles()
        before_sites = set(user.sites.all())
        chosen = set(self.cleaned_data["sites"]) | {s for s, names in by_site.items() if names}
        after_sites = (before_sites - own) | chosen
        user.sites.set(after_sites)
        groups = {group.name: group for group in Group.objects.filter(name__in=MANAGED_ROLES)}
        existing = at_sites(SiteRole.objects.filter(user=user), own).select_related("site", "group")
        before_pairs = {(row.site, row.group.name) for row in existing}
        after_pairs = {(site, name) for site, names in by_site.items() for name in names}
        for site, name in before_pairs - after_pairs:
            SiteRole.objects.filter(user=user, site=site, group=groups[name]).delete()
        SiteRole.objects.bulk_create(
            SiteRole(user=user, site=site, group=groups[name])
            for site, name in sorted(after_pairs - before_pairs, key=lambda p: (p[0].pk, p[1]))
        )
        return {
            "roles_added": sorted(after_roles - before_roles),
            "roles_removed": sorted(before_roles - after_roles),
            "sites_added": sorted(s.name for s in after_sites - before_sites),
            "sites_removed": sorted(s.name for s in before_sites - after_sites),
            "site_roles_added": _pairs(after_pairs - before_pairs),
            "site_roles_removed": _pairs(before_pairs - after_pairs),
        }


def _pairs(pairs: set) -> list[str]:
    return sorted(f"{name} at {site.name}" for site, name in pairs)


class StaffCreateForm(StaffForm):
    """A new account with a first password (checked by every password validator); they
    change it after logging in."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="Letters, digits and . @ + - _ only.",
        error_messages={"invalid": "Use letters, digits and . @ + - _ only."},
    )
    password1 = forms.CharField(
        label="First password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="First password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "first_name", "last_name", "email", "roles", "sites"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This user name is taken.", code="username_taken")
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            probe = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class StaffFilterForm(forms.Form):
    STATUS_CHOICES = [("active", "Active"), ("inactive", "Deactivated"), ("all", "All")]

    q = forms.CharField(label="Name or user name", required=False, max_length=100)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, initial="active")
