"""The public enquiry form: plain words, every error on the field it concerns.

``today`` is passed in (the site's date) so validation never reads the clock.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from ketaclinic.apps.enquiries.choices import (
    OTHER_CONDITION,
    ContactMethod,
    ContactTime,
    EnquiryCondition,
    Program,
)
from ketaclinic.apps.enquiries.models import NOTE_MAX_CHARS, Enquiry, completed_years
from ketaclinic.apps.patients.choices import SexAtBirth

ADULT_AGE = 18
OLDEST_AGE = 120
HONEYPOT_FIELD = "website"


class EnquiryForm(forms.ModelForm):
    """What a person tells the clinic when asking to join a program."""

    program = forms.ChoiceField(
        label="Which program are you asking about?",
        choices=Program.choices,
        widget=forms.RadioSelect,
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    sex_at_birth = forms.ChoiceField(
        label="Sex assigned at birth (optional)",
        required=False,
        choices=[("", "Prefer not to say")]
        + [c for c in SexAtBirth.choices if c[0] != SexAtBirth.UNKNOWN],
        help_text="Some doses depend on it; you can tell us later instead.",
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    preferred_time = forms.ChoiceField(
        label="When is a good time?", choices=ContactTime.choices, initial=ContactTime.ANY
    )
    condition = forms.ChoiceField(
        label="What would you like help with?",
        choices=[("", "Choose one"), *EnquiryCondition.choices],
    )
    consent_to_contact = forms.BooleanField(
        label="I agree that the clinic may contact me about this request.",
        error_messages={"required": "We can only reply if you agree to be contacted."},
    )
    note = forms.CharField(
        label="Anything else you would like us to know? (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_CHARS}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Enquiry
        fields = [
            "program",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex_at_birth",
            "email",
            "phone",
            "preferred_contact",
            "preferred_time",
            "condition",
            "condition_other",
            "suicidal_thoughts",
            "psychosis_history",
            "substance_use_problem",
            "high_blood_pressure",
            "pregnant_or_planning",
            "consent_to_contact",
            "note",
        ]
        labels = {
            "given_name": "First name",
            "family_name": "Last name",
            "email": "Email (optional if you give a phone number)",
            "phone": "Phone (optional if you give an email)",
            "condition_other": "If something else, what?",
            "suicidal_thoughts": "I am having thoughts of ending my life",
            "psychosis_history": "I have had psychosis (for example hallucinations or delusions)",
            "substance_use_problem": "I currently have a problem with alcohol or drug use",
            "high_blood_pressure": "I have high blood pressure",
            "pregnant_or_planning": "I am pregnant or planning a pregnancy",
        }
        widgets = {
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    PRESCREEN = (
        "suicidal_thoughts",
        "psychosis_history",
        "substance_use_problem",
        "high_blood_pressure",
        "pregnant_or_planning",
    )

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.age: int | None = None

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError("Your date of birth cannot be in the future.", "future")
        age = completed_years(born, self.today)
        if age > OLDEST_AGE:
            raise forms.ValidationError("Please check the year of your date of birth.", "too_old")
        self.age = age
        return born

    def clean_given_name(self) -> str:
        return " ".join(self.cleaned_data["given_name"].split())

    def clean_family_name(self) -> str:
        return " ".join(self.cleaned_data["family_name"].split())

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        email, phone = cleaned.get("email"), cleaned.get("phone")
        if not email and not phone and "email" not in self.errors and "phone" not in self.errors:
            self.add_error(
                "email", forms.ValidationError("Give an email address or a phone number.", "reach")
            )
        method = cleaned.get("preferred_contact")
        if method == ContactMethod.EMAIL and not email and "email" not in self.errors:
            self.add_error("preferred_contact", "Add your email address to be contacted by email.")
        calls = method in (ContactMethod.PHONE, ContactMethod.TEXT)
        if calls and not phone and "phone" not in self.errors:
            self.add_error("preferred_contact", "Add your phone number to be called or texted.")
        if cleaned.get("condition") == OTHER_CONDITION and not cleaned.get("condition_other"):
            self.add_error(
                "condition_other", "Tell us in a few words what you would like help with."
            )
        if cleaned.get("condition") != OTHER_CONDITION:
            cleaned["condition_other"] = ""
        return cleaned

    @property
    def is_under_age(self) -> bool:
        """A valid date of birth under 18: told kindly, whatever else the form says."""
        return self.age is not None and self.age < ADULT_AGE
