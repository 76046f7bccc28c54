"""Forms: a group and its schedule, enrolling by MRN, discharging, adding a session, the
attendance sheet for a whole roster, and a note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from ketaclinic.apps.accounts.choices import Weekday
from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.accounts.scoping import holds_at, sites_for, staff_holding
from ketaclinic.apps.iop.choices import AttendanceStatus, EndReason
from ketaclinic.apps.iop.models import GroupSession, IopGroup
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web.form_fields import model_choice_field

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


LEAD_PERMISSION = "iop.write_iop_note"


def therapists_at(site_ids: list[int]) -> QuerySet[User]:
    """Who may lead a group at these sites: those who write IOP notes there (therapists)."""
    return staff_holding(LEAD_PERMISSION, site_ids).order_by("last_name", "first_name")


class GroupForm(forms.ModelForm):
    """A group: its focus, who it serves (sets the weekly minimum), its leaders and rhythm."""

    meeting_weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Meets on",
    )

    class Meta:
        model = IopGroup
        fields = [
            "site",
            "name",
            "focus",
            "population",
            "facilitators",
            "meeting_weekdays",
            "session_starts_at",
            "session_minutes",
            "capacity",
            "starts_on",
            "ends_on",
            "status",
        ]
        labels = {
            "session_starts_at": "Sessions start at",
            "session_minutes": "Session length (minutes)",
            "population": "Serves",
        }
        help_texts = {
            "population": "Adults need at least 9 hours a week, adolescents 6 (CMS; ASAM 2.1).",
            "facilitators": "Therapists at the site who lead the group and take attendance.",
        }
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "session_starts_at": TIME,
            "facilitators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = sites_for(user, "iop.change_iopgroup")
        model_choice_field(self, "site").queryset = sites
        site_ids = list(sites.values_list("id", flat=True))
        model_choice_field(self, "facilitators").queryset = therapists_at(site_ids)
        self.fields["facilitators"].label_from_instance = lambda u: u.display_name

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        site = data.get("site")
        if self.instance.pk:
            open_count = self.instance.enrolments.filter(ended_on__isnull=True).count()
            if site is not None and site.pk != self.instance.site_id and open_count:
                self.add_error("site", "Patients are on the roster: discharge them first.")
            capacity = data.get("capacity")
            if capacity is not None and capacity < open_count:
                self.add_error("capacity", f"{open_count} patients are on the roster now.")
        for person in data.get("facilitators") or []:
            if site is not None and not holds_at(person, LEAD_PERMISSION, site):
                self.add_error("facilitators", f"{person.display_name} does not work at {site}.")
        return data

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if not 1 <= capacity <= 30:
            raise forms.ValidationError("Between 1 and 30 places.", code="out_of_range")
        return capacity

    def clean_session_minutes(self) -> int:
        minutes = self.cleaned_data["session_minutes"]
        if not 30 <= minutes <= 480:
            raise forms.ValidationError("Between 30 and 480 minutes.", code="out_of_range")
        return minutes

    def clean_ends_on(self) -> dt.date | None:
        ends_on = self.cleaned_data.get("ends_on")
        starts_on = self.cleaned_data.get("starts_on")
        if ends_on and starts_on and ends_on < starts_on:
            raise forms.ValidationError("Ends before it starts.", code="out_of_range")
        return ends_on


class EnrolForm(forms.Form):
    """Put a patient of the group's site on the roster, by MRN."""

    mrn = forms.CharField(label="Patient MRN", max_length=20)
    starts_on = forms.DateField(label="Starts on", widget=DATE)
    planned_hours_per_week = forms.DecimalField(
        label="Planned hours a week",
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("40"),
        initial=Decimal("9"),
        help_text="Usually the program's minimum or more (9 h adults, 6 h adolescents).",
    )

    def __init__(self, *args: Any, group: IopGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group

    def clean_mrn(self) -> Patient:
        mrn = self.cleaned_data["mrn"].strip().upper()
        try:
            return Patient.objects.select_related("site").get(site_id=self.group.site_id, mrn=mrn)
        except Patient.DoesNotExist:
            raise forms.ValidationError(
                f"No patient with MRN {mrn} at {self.group.site.name}.", code="unknown"
            ) from None


class DischargeForm(forms.Form):
    ended_on = forms.DateField(label="Last day", widget=DATE)
    reason = forms.ChoiceField(choices=EndReason.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SessionForm(forms.ModelForm):
    """One session on the group's calendar."""

    class Meta:
        model = GroupSession
        fields = ["held_on", "starts_at", "duration_minutes", "topic", "facilitator"]
        labels = {"held_on": "Date", "starts_at": "Starts at", "duration_minutes": "Minutes"}
        widgets = {"held_on": DATE, "starts_at": TIME}

    def __init__(self, *args: Any, group: IopGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "facilitator").queryset = group.facilitators.order_by("last_name")
        self.fields["facilitator"].label_from_instance = lambda u: u.display_name

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if not 15 <= minutes <= 480:
            raise forms.ValidationError("Between 15 and 480 minutes.", code="out_of_range")
        return minutes


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Participation, what the patient worked on, risk and follow-up.",
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Write at least a sentence.", code="too_short")
        return text


def read_attendance_sheet(data: Any, roster: list) -> tuple[list[dict], dict[int, dict]]:
    """Rows for ``program.check_attendance`` from a posted sheet (one line per patient:
    ``status-<id>``, ``late-<id>``, ``early-<id>``), and typing errors by enrolment id."""
    rows: list[dict] = []
    errors: dict[int, dict] = {}
    for enrolment in roster:
        pk = enrolment.pk
        row: dict[str, Any] = {"enrolment_id": pk, "status": data.get(f"status-{pk}", "")}
        if row["status"] not in AttendanceStatus.values:
            errors.setdefault(pk, {})["status"] = "Choose how the patient attended."
        for name, key in (("late_minutes", "late"), ("left_early_minutes", "early")):
            raw = (data.get(f"{key}-{pk}") or "").strip()
            try:
                row[name] = int(raw) if raw else 0
            except ValueError:
                errors.setdefault(pk, {})[name] = "A whole number of minutes."
                row[name] = 0
        rows.append(row)
    return rows, errors
