"""Making an API token: what it is for, how long it lasts, and a subset of what you hold."""

from __future__ import annotations

from typing import Any

from django import forms

from ketaclinic.apps.accounts.api_tokens import DEFAULT_DAYS, MAX_DAYS, grantable_permissions
from ketaclinic.apps.accounts.scoping import sites_for


def _grouped_by_app(codes: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``app.codename`` choices under their app, labelled with the permission's own name."""
    from django.contrib.auth.models import Permission

    names = {
        f"{p.content_type.app_label}.{p.codename}": p.name
        for p in Permission.objects.select_related("content_type")
    }
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in codes:
        app = code.split(".")[0]
        groups.setdefault(app, []).append((code, f"{names.get(code, code)} ({code})"))
    return [(app.title(), choices) for app, choices in groups.items()]


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
        permissions.choices = _grouped_by_app(grantable_permissions(owner))
        sites.queryset = sites_for(owner).order_by("name")
