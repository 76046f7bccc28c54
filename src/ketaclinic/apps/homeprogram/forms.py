"""Forms: the prescription (limits checked by the core), a refill, sending a check-in link, a
pill count, and the patient's check-in (phone-first, plain HTML, no JavaScript needed).

The API validates through these same forms, so a page and an endpoint refuse the same input
with the same words."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from ketaclinic.apps.assessments.choices import SentVia
from ketaclinic.apps.assessments.forms import SentViaOnFile
from ketaclinic.apps.homeprogram.choices import DispensedAt, SideEffectSeverity, SupplyEventKind
from ketaclinic.apps.homeprogram.models import HomePrescription
from ketaclinic.apps.homeprogram.refills import places_for, problems_for
from ketaclinic.apps.treatment.models import Course
from ketaclinic.apps.web.form_fields import choice_field, model_choice_field
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.home_checkins import check_prescription, refills_end_on

HOME_PROTOCOL = "sublingual-home"
YES_NO = [("yes", "Yes"), ("no", "No")]


class PrescriptionForm(forms.ModelForm):
    """A home prescription; refills must keep to 21 CFR 1306.22 (five, within six months)."""

    class Meta:
        model = HomePrescription
        fields = [
            "course",
            "product",
            "strength_mg",
            "quantity_dispensed",
            "refills_authorised",
            "refills_until",
            "written_on",
            "dose_per_session_mg",
            "max_doses_per_week",
            "first_home_dose_on",
            "directions",
        ]
        labels = {
            "strength_mg": "Strength per troche (mg)",
            "quantity_dispensed": "Quantity dispensed (troches)",
            "refills_until": "Refills until",
            "dose_per_session_mg": "Dose per session (mg)",
            "max_doses_per_week": "At most doses per week",
            "first_home_dose_on": "First home dose on",
        }
        widgets = {
            "written_on": forms.DateInput(attrs={"type": "date"}),
            "refills_until": forms.DateInput(attrs={"type": "date"}),
            "first_home_dose_on": forms.DateInput(attrs={"type": "date"}),
            "directions": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "refills_authorised": "At most 5 (Schedule III, 21 CFR 1306.22).",
            "refills_until": "At most six months after the date written.",
        }

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        model_choice_field(self, "course").queryset = Course.objects.filter(
            patient=patient, protocol_id=HOME_PROTOCOL
        )
        model_choice_field(self, "course").empty_label = None
        self.fields[
            "course"
        ].help_text = (
            "A course on the sublingual-home protocol; its in-person first dose comes first."
        )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        names = [
            "refills_authorised",
            "written_on",
            "quantity_dispensed",
            "strength_mg",
            "dose_per_session_mg",
            "max_doses_per_week",
        ]
        if all(data.get(name) is not None for name in names):
            if data["refills_authorised"] and data.get("refills_until") is None:
                data["refills_until"] = refills_end_on(data["written_on"])
            try:
                check_prescription(
                    refills_until=data.get("refills_until"),
                    **{name: data[name] for name in names},
                )
            except InputError as error:
                self.add_error(error.field, error.message)
        written, first = data.get("written_on"), data.get("first_home_dose_on")
        if written and first and first < written:
            self.add_error(
                "first_home_dose_on", "The first home dose comes after the date written."
            )
        return data


class SendCheckInLinkForm(SentViaOnFile, forms.Form):
    planned_on = forms.TypedChoiceField(
        label="For the dose planned on", coerce=dt.date.fromisoformat, choices=()
    )
    sent_via = forms.ChoiceField(
        label="Send by", widget=forms.RadioSelect, choices=SentVia.choices, initial=SentVia.SMS
    )

    def __init__(self, *args: Any, patient: Any, dates: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        choice_field(self, "planned_on").choices = [
            (d.isoformat(), f"{d:%a %d %b %Y}") for d in dates
        ]


class RefillForm(forms.Form):
    """One refill: Schedule III count and six months, and the early-refill line, checked by
    the core against this prescription's earlier dispensings."""

    dispensed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.IntegerField(label="Quantity dispensed (troches)", min_value=1)
    dispensed_at = forms.ChoiceField(
        label="Dispensed", choices=DispensedAt.choices, widget=forms.RadioSelect
    )
    pharmacy = forms.CharField(
        label="Pharmacy name",
        required=False,
        max_length=120,
        help_text="For a pharmacy refill: which pharmacy dispensed it.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, prescription: HomePrescription, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.prescription = prescription
        places = places_for(user)
        choice_field(self, "dispensed_at").choices = [
            (value, label) for value, label in DispensedAt.choices if value in places
        ]
        if len(places) == 1:
            self.fields["dispensed_at"].initial = places[0]
        self.fields["quantity"].widget.attrs["max"] = prescription.quantity_dispensed
        self.fields["quantity"].initial = prescription.quantity_dispensed

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("dispensed_at") == DispensedAt.PHARMACY and not data.get("pharmacy"):
            self.add_error("pharmacy", "Name the pharmacy that dispensed the refill.")
        if data.get("dispensed_on") and data.get("quantity"):
            for problem in problems_for(
                self.prescription, quantity=data["quantity"], dispensed_on=data["dispensed_on"]
            ):
                field = problem.field if problem.field in self.fields else None
                message = problem.message[:1].upper() + problem.message[1:] + "."
                self.add_error(field, forms.ValidationError(message, code=problem.field))
        return data


class PillCountForm(forms.Form):
    counted_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    counted = forms.DecimalField(
        label="Troches counted", min_value=0, max_digits=7, decimal_places=2
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupplyEventForm(forms.Form):
    """A misuse signal seen around the home supply (the outcomes page counts them)."""

    kind = forms.ChoiceField(label="What happened", choices=SupplyEventKind.choices)
    occurred_on = forms.DateField(label="On", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was asked or found, in a line.",
    )


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class CheckInForm(forms.Form):
    """The patient's check-in for one home dose. Plain HTML inputs: works without JavaScript."""

    dose_taken = _yes_no("Did you take your dose?")
    taken_time = forms.TimeField(
        label="What time did you take it?",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    amount_mg = forms.DecimalField(
        label="How much did you take (mg)?",
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    responsible_adult_present = _yes_no("Was a responsible adult with you?")
    mood_0_10 = forms.IntegerField(
        label="Before the dose, your mood (0 = worst, 10 = best)", min_value=0, max_value=10
    )
    anxiety_0_10 = forms.IntegerField(
        label="Before the dose, your anxiety (0 = none, 10 = worst)", min_value=0, max_value=10
    )
    suicidal_thoughts = _yes_no("Are you having thoughts of ending your life or harming yourself?")
    nausea = forms.BooleanField(label="Nausea", required=False)
    vomiting = forms.BooleanField(label="Vomiting", required=False)
    dizziness = forms.BooleanField(label="Dizziness", required=False)
    dissociation = forms.BooleanField(label="Feeling detached or unreal", required=False)
    other_side_effects = forms.CharField(label="Anything else", required=False, max_length=200)
    side_effect_severity = forms.ChoiceField(
        label="How bad were the side effects?",
        choices=SideEffectSeverity.choices,
        widget=forms.RadioSelect,
        initial=SideEffectSeverity.NONE,
    )
    bp_systolic = forms.IntegerField(
        label="Blood pressure, top number", required=False, min_value=50, max_value=300
    )
    bp_diastolic = forms.IntegerField(
        label="Blood pressure, bottom number", required=False, min_value=30, max_value=200
    )

    def __init__(self, *args: Any, planned_on: dt.date, timezone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.planned_on = planned_on
        self.tz = ZoneInfo(timezone)
        for name in ("mood_0_10", "anxiety_0_10", "bp_systolic", "bp_diastolic"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("dose_taken"):
            if data.get("taken_time") is None:
                self.add_error("taken_time", "Enter the time you took the dose.")
            if not data.get("amount_mg"):
                self.add_error("amount_mg", "Enter how many mg you took.")
            if data.get("taken_time") is not None:
                data["taken_at"] = dt.datetime.combine(
                    self.planned_on, data["taken_time"], tzinfo=self.tz
                )
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        if (systolic is None) != (diastolic is None):
            self.add_error(
                "bp_diastolic" if diastolic is None else "bp_systolic",
                "Enter both numbers, or leave both empty if you have no cuff.",
            )
        return data

    def safety_answer_given(self) -> bool:
        return self.data.get("suicidal_thoughts") == "yes"
