"""Forms of the on-call page: the site's policy, a rota shift, a pager number.

Times are typed in the site's local time (the view activates the site's zone while the form
is bound), so a director in New York setting a night in Denver types Denver's clock.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import QuerySet

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.alerts.models import OnCallPolicy, OnCallShift, PagerNumber
from ketaclinic.apps.web.form_fields import model_choice_field

CLINICAL_ROLES = (Role.PRESCRIBER, Role.MEDICAL_DIRECTOR, Role.NURSE)
PHONE_NUMBER = re.compile(r"^\+?[0-9 ()./-]{6,25}$")


def site_clinicians(site: Any) -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(sites=site, is_active=True, groups__name__in=CLINICAL_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return Role(obj.name).label if obj.name in Role.values else obj.name


class OnCallPolicyForm(forms.ModelForm):
    fallback_person = PersonChoiceField(queryset=None, required=False)
    fallback_group = RoleChoiceField(
        queryset=None,
        required=False,
        label="Fallback role",
        help_text="Then each member of this role at the site, one after another.",
    )

    class Meta:
        model = OnCallPolicy
        fields = [
            "escalate_after_minutes",
            "contact_within_minutes",
            "fallback_person",
            "fallback_group",
        ]
        labels = {
            "escalate_after_minutes": "Escalate after (minutes)",
            "contact_within_minutes": "Patients are told: contact within (minutes)",
        }

    def __init__(self, *args: Any, site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "fallback_person").queryset = site_clinicians(site)
        model_choice_field(self, "fallback_group").queryset = Group.objects.filter(
            name__in=CLINICAL_ROLES
        ).order_by("name")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        escalate = data.get("escalate_after_minutes")
        promise = data.get("contact_within_minutes")
        if escalate and promise and promise < escalate:
            self.add_error(
                "contact_within_minutes",
                forms.ValidationError(
                    "Promise no sooner than the first escalation: at least %(minutes)s minutes.",
                    code="promise_too_short",
                    params={"minutes": escalate},
                ),
            )
        if not data.get("fallback_person") and not data.get("fallback_group"):
            raise forms.ValidationError(
                "Name a fallback person or role, so an alert outside the rota reaches someone.",
                code="no_fallback",
            )
        return data


class OnCallShiftForm(forms.ModelForm):
    person = PersonChoiceField(queryset=None)

    class Meta:
        model = OnCallShift
        fields = ["person", "starts_at", "ends_at", "rank"]
        labels = {"starts_at": "From", "ends_at": "Until", "rank": "Order (1 is paged first)"}
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args: Any, site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = site_clinicians(site)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error(
                "ends_at",
                forms.ValidationError("Must be after the start.", code="ends_before_start"),
            )
        return data


class PagerNumberForm(forms.ModelForm):
    person = PersonChoiceField(queryset=None)
    number = forms.CharField(
        label="Mobile or pager number", max_length=25, help_text="e.g. +1 303 555 0100"
    )

    class Meta:
        model = PagerNumber
        fields = ["person", "number"]

    def __init__(self, *args: Any, site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = site_clinicians(site)

    def validate_unique(self) -> None:
        """Saving a number for someone who has one replaces it (the view does that)."""

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not PHONE_NUMBER.match(number):
            raise forms.ValidationError("Enter a phone number, e.g. +1 303 555 0100.", code="phone")
        return number
