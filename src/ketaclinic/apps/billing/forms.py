"""Forms: a prior authorization, a previous antidepressant trial, a superbill's dates."""

from __future__ import annotations

import datetime as dt

from django import forms

from ketaclinic.apps.billing.choices import AuthorizationStatus
from ketaclinic.apps.billing.models import PriorAuthorization
from ketaclinic.apps.patients.models import AntidepressantTrial

DATE = forms.DateInput(attrs={"type": "date"})


class AuthorizationForm(forms.ModelForm):
    class Meta:
        model = PriorAuthorization
        fields = [
            "payer_name",
            "payer_kind",
            "member_number",
            "authorization_number",
            "status",
            "authorised_sessions",
            "authorised_units",
            "starts_on",
            "ends_on",
            "notes",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The authorization cannot end before it starts.")
        if (
            data.get("status") == AuthorizationStatus.APPROVED
            and not data.get("authorization_number", "").strip()
        ):
            self.add_error("authorization_number", "An approval has the payer's number.")
        return data


class TrialForm(forms.ModelForm):
    class Meta:
        model = AntidepressantTrial
        fields = ["drug", "daily_dose_mg", "duration_weeks", "response", "started_on", "notes"]
        widgets = {"started_on": DATE}
        labels = {"daily_dose_mg": "Highest daily dose (mg)", "duration_weeks": "Weeks taken"}


class PeriodForm(forms.Form):
    """The dates of service a superbill or the claims file covers (at most a year)."""

    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end is before the start.")
            elif end - start > dt.timedelta(days=366):
                self.add_error("end", "At most a year at a time.")
        return data
