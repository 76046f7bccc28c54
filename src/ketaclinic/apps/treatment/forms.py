"""Forms for screening, sign-off, plans and their changes: field errors, never tracebacks.

The forms collect answers; the core validates them (``ScreeningInput.from_dict``,
``ScreeningParameters.from_dict``) and its ``InputError`` lands on the field it names.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms

from ketaclinic.apps.treatment.choices import (
    INDICATION_OF_CONDITION,
    CourseStatus,
    Indication,
    Route,
    ScreeningCondition,
    ScreeningSex,
    Setting,
    SignoffDecision,
)
from ketaclinic.apps.treatment.models import Screening
from ketaclinic.apps.treatment.planning import DEFAULT_START_TIME, main_dose, protocols_for
from ketaclinic.apps.treatment.screenings import plain_json, signoff_problems
from ketaclinic.apps.web.form_fields import choice_field
from ketaclinic.clinical.eligibility import ScreeningInput, ScreeningParameters
from ketaclinic.clinical.exceptions import InputError

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def _field_of(error: InputError, fields: Any) -> str | None:
    """``conditions[2]`` -> ``conditions``; a field the form does not have -> form-wide."""
    name = error.field.split("[", 1)[0].split(".", 1)[0]
    return name if name in fields else None


class ScreeningForm(forms.Form):
    """Answers and resting vitals. Age comes from the date of birth, not from the form."""

    sex = forms.ChoiceField(
        choices=ScreeningSex.choices,
        help_text="As the rules need it (pregnancy questions are asked whatever this says).",
    )
    pregnant = forms.BooleanField(required=False, label="Pregnant")
    breastfeeding = forms.BooleanField(required=False, label="Breastfeeding")
    weight_kg = forms.DecimalField(label="Weight (kg)", max_digits=5, decimal_places=1)
    height_cm = forms.DecimalField(label="Height (cm)", max_digits=5, decimal_places=1)
    bp_systolic = forms.IntegerField(label="Resting BP systolic (mmHg)")
    bp_diastolic = forms.IntegerField(label="Resting BP diastolic (mmHg)")
    heart_rate = forms.IntegerField(label="Resting heart rate (/min)")
    route = forms.ChoiceField(choices=Route.choices)
    setting = forms.ChoiceField(choices=Setting.choices, initial=Setting.CLINIC)
    responsible_adult_at_home = forms.ChoiceField(
        choices=YES_NO,
        required=False,
        label="Responsible adult at home",
        help_text="Needed for the home program.",
    )
    conditions = forms.MultipleChoiceField(
        choices=ScreeningCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="History and current conditions",
    )
    medications = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Generic names, one per line or separated by commas.",
    )

    def __init__(self, *args: Any, age: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.age = age

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        try:
            ScreeningInput.from_dict(self.inputs())
        except InputError as error:
            self.add_error(_field_of(error, self.fields), f"{error.field}: {error.message}")
        return cleaned

    def inputs(self) -> dict[str, Any]:
        """The object for ``ScreeningInput.from_dict`` (the CLI's JSON shape)."""
        c = self.cleaned_data
        data: dict[str, Any] = {
            "age": self.age,
            "sex": c["sex"],
            "pregnant": c["pregnant"],
            "breastfeeding": c["breastfeeding"],
            "weight_kg": plain_json(c["weight_kg"]),
            "height_cm": plain_json(c["height_cm"]),
            "bp_systolic": c["bp_systolic"],
            "bp_diastolic": c["bp_diastolic"],
            "heart_rate": c["heart_rate"],
            "route": c["route"],
            "setting": c["setting"],
            "conditions": list(c["conditions"]),
            "medications": [
                name.strip()
                for line in c["medications"].replace(",", "\n").splitlines()
                if (name := line.strip())
            ],
        }
        if c["responsible_adult_at_home"]:
            data["responsible_adult_at_home"] = c["responsible_adult_at_home"] == "yes"
        return data


class SignoffForm(forms.Form):
    """The prescriber's decision; one reason field per ``review`` finding."""

    decision = forms.ChoiceField(choices=SignoffDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (optional)"
    )

    def __init__(self, *args: Any, screening: Screening, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.screening = screening
        if screening.has_contraindication:
            return  # proceeding is impossible, so no reasons to ask for
        for finding in screening.findings_at("review"):
            self.fields[f"reason_{finding['code']}"] = forms.CharField(
                required=False,
                label=f"Reason to proceed despite {finding['code']}",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Required to proceed: why it is safe for this patient.",
            )

    def reasons(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"reason_{code}", "")
            for code in self.screening.review_codes
        }

    def reason_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("reason_")]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if "decision" in cleaned:
            for field, message in signoff_problems(
                self.screening, cleaned["decision"], self.reasons()
            ).items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class PlanForm(forms.Form):
    indication = forms.ChoiceField(
        label="Indication",
        choices=[("", "Choose what the course treats"), *Indication.choices],
        help_text="Outcomes are judged on this condition's instrument (PCL-5 for PTSD, "
        "GAD-7 for anxiety, the PEG for pain, PHQ-9 for depression).",
    )
    protocol = forms.ChoiceField(label="Protocol")
    target_dose_mg_per_kg = forms.DecimalField(
        required=False, label="Target dose (mg/kg)", max_digits=6, decimal_places=3
    )
    target_dose_mg = forms.DecimalField(
        required=False, label="Target dose (mg)", max_digits=7, decimal_places=2
    )
    starts_on = forms.DateField(label="First session on or after", widget=DATE_INPUT)
    start_time = forms.TimeField(label="Time of day", widget=TIME_INPUT, initial=DEFAULT_START_TIME)
    chair = forms.IntegerField(
        required=False,
        min_value=1,
        label="Preferred chair",
        help_text="The next free one if taken.",
    )
    same_day_reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason to dose twice on one day",
        help_text="Only when a session falls on a day the patient is already dosed, and you "
        "mean it: at least 10 characters. Recorded and audited.",
    )

    def __init__(self, *args: Any, screening: Screening, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for protocol in protocols_for(screening):
            for variant in protocol.variants:
                dose = main_dose(protocol, variant.name).render()
                label = f"{protocol.title} — {variant.name} ({dose})"
                choices.append((f"{protocol.id}:{variant.name}", label))
        choice_field(self, "protocol").choices = choices
        primary = screening.patient.conditions.filter(primary=True).values_list("code", flat=True)
        suggested = INDICATION_OF_CONDITION.get(next(iter(primary), ""))
        if suggested and not self.is_bound:
            self.initial.setdefault("indication", suggested)
        self.fields["target_dose_mg_per_kg"].help_text = "Leave both empty for the protocol's dose."

    def protocol_and_variant(self) -> tuple[str, str]:
        protocol_id, _, variant = self.cleaned_data["protocol"].partition(":")
        return protocol_id, variant


class RescheduleForm(forms.Form):
    day = forms.DateField(widget=DATE_INPUT)
    at = forms.TimeField(label="Time", widget=TIME_INPUT)
    chair = forms.IntegerField(
        required=False, min_value=1, help_text="Empty: keep the chair if free, else the next."
    )
    reason = forms.CharField(
        required=False, max_length=200, help_text="Optional, e.g. the patient asked to move."
    )
    same_day_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason to dose twice on one day (prescribers)",
        help_text="Only to keep a dosing session on a day the patient is already dosed.",
    )


class DoseChangeForm(forms.Form):
    target_dose_mg_per_kg = forms.DecimalField(
        required=False, label="New dose (mg/kg)", max_digits=6, decimal_places=3
    )
    target_dose_mg = forms.DecimalField(
        required=False, label="New dose (mg)", max_digits=7, decimal_places=2
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class CourseStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(CourseStatus.PAUSED, "Pause"), (CourseStatus.STOPPED, "Stop")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class RuleSettingsForm(forms.Form):
    """A site's screening overrides as JSON, checked by ``ScreeningParameters.from_dict``."""

    overrides = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        label="Overrides (JSON)",
        help_text='Any subset, e.g. {"bp_elevated_systolic": 150, '
        '"levels": {"psychosis_history": "contraindicated"}}. Empty for the defaults.',
    )

    def clean_overrides(self) -> dict:
        text = self.cleaned_data["overrides"].strip() or "{}"
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not valid JSON: {error}") from None
        try:
            ScreeningParameters.from_dict(data)
        except InputError as error:
            raise forms.ValidationError(f"{error.field or 'parameters'}: {error.message}") from None
        return plain_json(data)


class HolidayForm(forms.Form):
    date = forms.DateField(widget=DATE_INPUT)
    name = forms.CharField(max_length=100)


class ScheduleForm(forms.Form):
    site = forms.TypedChoiceField(coerce=int, required=False)
    date = forms.DateField(required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, sites: list, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "site").choices = [(s.pk, s.name) for s in sites]
        self.today = today
