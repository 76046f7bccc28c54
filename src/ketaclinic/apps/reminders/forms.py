"""The preference form (the staff page and the API validate through it, so both refuse the
same input with the same words) and the reminder list's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from ketaclinic.apps.reminders.choices import (
    OptOutScope,
    PreferredChannel,
    ReminderKind,
    ReminderStatus,
)
from ketaclinic.apps.reminders.preferences import Preferences

STOP_FIELDS = {f"stop_{scope}": scope for scope in OptOutScope.values}


class PreferencesForm(forms.Form):
    preferred_channel = forms.ChoiceField(choices=PreferredChannel.choices)
    quiet_start = forms.TimeField(
        required=False,
        label="From",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        required=False,
        label="Until",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    stop_appointment = forms.BooleanField(required=False, label="Stop appointment reminders")
    stop_questionnaire = forms.BooleanField(required=False, label="Stop questionnaire reminders")
    stop_email = forms.BooleanField(required=False, label="Stop reminders by e-mail")
    stop_sms = forms.BooleanField(required=False, label="Stop reminders by text message")

    @classmethod
    def initial_from(cls, preferences: Preferences) -> dict[str, Any]:
        preference = preferences.preference
        initial: dict[str, Any] = {
            "preferred_channel": preference.preferred_channel,
            "quiet_start": preference.quiet_start,
            "quiet_end": preference.quiet_end,
        }
        for name, scope in STOP_FIELDS.items():
            initial[name] = scope in preferences.stopped
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" not in self.errors and "quiet_end" not in self.errors:
            if start is not None and end is None:
                self.add_error("quiet_end", "Give both times, or neither for the clinic's hours.")
            elif end is not None and start is None:
                self.add_error("quiet_start", "Give both times, or neither for the clinic's hours.")
        return data

    def stopped(self) -> set[str]:
        return {scope for name, scope in STOP_FIELDS.items() if self.cleaned_data.get(name)}


class ReminderFilterForm(forms.Form):
    """Filters of the reminder list; an unknown value is ignored (the list shows all)."""

    WHEN_CHOICES = [("upcoming", "Upcoming"), ("recent", "Recent"), ("all", "All")]

    when = forms.ChoiceField(choices=WHEN_CHOICES, required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ReminderStatus.choices], required=False
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *ReminderKind.choices], required=False)

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"when": "upcoming", "status": "", "kind": ""}
        data = self.cleaned_data
        return {"when": data["when"] or "upcoming", "status": data["status"], "kind": data["kind"]}
