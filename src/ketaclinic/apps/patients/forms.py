"""Patient forms: server-side validation with a message on the field that is wrong."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Max

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.patients.models import Measurement, Patient
from ketaclinic.apps.web.form_fields import model_choice_field

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or MRN",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Rivera, K000123", "autofocus": True}),
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DATE_INPUT)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["q"] = " ".join((cleaned.get("q") or "").split())
        return cleaned

    @property
    def has_terms(self) -> bool:
        return bool(
            self.is_valid() and (self.cleaned_data["q"] or self.cleaned_data["date_of_birth"])
        )


class PatientForm(forms.ModelForm):
    """Demographics and contacts. ``today`` is passed in so validation never reads the clock."""

    class Meta:
        model = Patient
        fields = [
            "site",
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex_at_birth",
            "gender_identity",
            "pronouns",
            "email",
            "phone",
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_relationship",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"mrn": "Leave empty to assign the site's next number."}

    def __init__(self, *args, sites, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        model_choice_field(self, "site").queryset = sites
        self.fields["mrn"].required = False
        if self.instance.pk:
            # Moving a patient between sites is a transfer, not an edit.
            self.fields["site"].disabled = True
        elif sites.count() == 1:
            self.fields["site"].initial = sites.first()

    def clean_mrn(self) -> str:
        return (self.cleaned_data.get("mrn") or "").strip().upper()

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError("Date of birth cannot be in the future.", code="future")
        if born < dt.date(1900, 1, 1):
            raise forms.ValidationError("Date of birth must be after 1900.", code="too_old")
        return born

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        site: Site | None = cleaned.get("site")
        mrn = cleaned.get("mrn")
        if site and not mrn and not self.instance.pk:
            cleaned["mrn"] = next_mrn(site)
            self.instance.mrn = cleaned["mrn"]
        if site and cleaned.get("mrn"):
            clash = Patient.objects.filter(site=site, mrn=cleaned["mrn"]).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("mrn", "Another patient at this site has this MRN.")
        phone, contact = (
            cleaned.get("emergency_contact_phone"),
            cleaned.get("emergency_contact_name"),
        )
        if phone and not contact:
            self.add_error("emergency_contact_name", "Name the emergency contact for this number.")
        return cleaned


def next_mrn(site: Site) -> str:
    """The site's next number, K000001 upwards (the unique constraint guards races)."""
    latest = Patient.objects.filter(site=site, mrn__regex=r"^K[0-9]{6}$").aggregate(m=Max("mrn"))[
        "m"
    ]
    return f"K{(int(latest[1:]) + 1 if latest else 1):06d}"


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "weight_kg", "height_cm"]
        widgets = {"measured_on": DATE_INPUT}
        labels = {"weight_kg": "Weight (kg)", "height_cm": "Height (cm)"}

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["measured_on"].initial = today

    def clean_measured_on(self) -> dt.date:
        measured = self.cleaned_data["measured_on"]
        if measured > self.today:
            raise forms.ValidationError(
                "A measurement cannot be dated in the future.", code="future"
            )
        return measured
