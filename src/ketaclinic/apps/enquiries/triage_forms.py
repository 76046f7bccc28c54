"""Forms of the triage queue: filters, a contact attempt, an intake time, a decline reason."""

from __future__ import annotations

import datetime as dt

from django import forms

from ketaclinic.apps.enquiries.choices import (
    ContactMethod,
    ContactOutcome,
    EnquiryStatus,
    Program,
)
from ketaclinic.apps.web.form_fields import choice_field

OPEN = "open"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[(OPEN, "Open (new, contacted, scheduled)"), *EnquiryStatus.choices, ("", "All")],
        initial=OPEN,
    )
    program = forms.ChoiceField(required=False, choices=[("", "All programs"), *Program.choices])
    site = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[])

    def __init__(self, *args, sites, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "site").choices = [
            ("", "All my sites"),
            *((s.pk, s.name) for s in sites),
        ]


class ContactAttemptForm(forms.Form):
    method = forms.ChoiceField(label="How", choices=ContactMethod.choices)
    outcome = forms.ChoiceField(label="Outcome", choices=ContactOutcome.choices)
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScheduleIntakeForm(forms.Form):
    intake_at = forms.DateTimeField(
        label="Intake appointment",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, now: dt.datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean_intake_at(self) -> dt.datetime:
        intake_at = self.cleaned_data["intake_at"]
        if intake_at < self.now:
            raise forms.ValidationError("The intake must be in the future.", "past")
        return intake_at


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the enquiry is declined."},
    )


class LinkPatientForm(forms.Form):
    """Convert to a patient the site already has (a returning patient asking for a program)."""

    mrn = forms.CharField(label="Existing patient's MRN", max_length=20)

    def clean_mrn(self) -> str:
        return self.cleaned_data["mrn"].strip().upper()
