"""Making an API token: what it is for, how long it lasts, and a subset of what you hold."""

from __future__ import annotations

from typing import Any

from django import forms

from ketaclinic.apps.accounts.api_tokens import DEFAULT_DAYS, MAX_DAYS, grantable_permissions
from ketaclinic.apps.accounts.scoping import sites_for


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the script does, e.g. “nightly outcomes export”."
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        label="Lasts (days)",
        help_text=f"At most {MAX_DAYS} days; make a new token before it expires.",
    )
    permissions = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what the script needs; you can give only what your role holds.",
    )
    sites: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, help_text="Sites the script may see."
    )

    def __init__(self, *args: Any, owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        permissions = self.fields["permissions"]
        sites = self.fields["sites"]
        assert isinstance(permissions, forms.MultipleChoiceField)
        assert isinstance(sites, forms.ModelMultipleChoiceField)
        permissions.choices = [(c, c) for c in grantable_permissions(owner)]
        sites.queryset = sites_for(owner).order_by("name")
