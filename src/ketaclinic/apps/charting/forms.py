"""Forms of the session chart. Field checks are light: the core and the recording functions
validate and raise ``InputError`` naming the field, which the views attach to the form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms

from ketaclinic.apps.charting.choices import (
    AdverseEventKind,
    CapChoice,
    HoldOutcome,
    MedicationRoute,
    RemsStatus,
    RespiratoryStatus,
    Severity,
)
from ketaclinic.apps.charting.dose_rights import prepare_for
from ketaclinic.apps.charting.models import RemsRecord
from ketaclinic.apps.charting.models.observations import VITAL_RANGES
from ketaclinic.apps.ledger.models import Container
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.form_fields import choice_field
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.rems_form import FIELDS as REMS_FIELDS
from ketaclinic.clinical.rems_form import SEX_CHOICES
from ketaclinic.clinical.scales import get_scale

TIME_HELP = "Local time, e.g. 09:40. Leave empty for now."


def moment_today(site_timezone: str, time: dt.time | None) -> dt.datetime:
    """``time`` today at the site (aware), or now when no time is given."""
    if time is None:
        return clock.now()
    day = clock.today(site_timezone)
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(site_timezone))


def attach_error(form: forms.Form, error: InputError) -> None:
    """Show the core's error on the field it names (or above the form)."""
    field = error.field.split(".")[0].split("[")[0]
    form.add_error(field if field in form.fields else None, error.message)


def _vital(name: str, label: str, required: bool = True) -> forms.IntegerField:
    low, high = VITAL_RANGES[name]
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        help_text=TIME_HELP,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class PreCheckForm(forms.Form):
    bp_systolic = _vital("bp_systolic", "Systolic BP (mmHg)")
    bp_diastolic = _vital("bp_diastolic", "Diastolic BP (mmHg)")
    heart_rate = _vital("heart_rate", "Heart rate (/min)")
    spo2 = _vital("spo2", "SpO2 (%)")
    last_food_minutes_ago = forms.IntegerField(
        label="Minutes since last food", min_value=0, max_value=10080
    )
    last_liquid_minutes_ago = forms.IntegerField(
        label="Minutes since last drink", min_value=0, max_value=10080
    )
    questionnaires_done = forms.BooleanField(
        label="Pre-session questionnaires done", required=False
    )
    escort_present = forms.BooleanField(
        label="Escort present to take the patient home", required=False
    )


class HoldDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=HoldOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DoseOrderForm(forms.Form):
    mg_per_kg = forms.DecimalField(
        label="Dose (mg/kg)", required=False, max_digits=5, decimal_places=3
    )
    dose_mg = forms.DecimalField(
        label="Or a fixed dose (mg)", required=False, max_digits=7, decimal_places=2
    )
    concentration_mg_per_ml = forms.DecimalField(
        label="Concentration (mg/mL)", required=False, max_digits=6, decimal_places=2
    )
    duration_min = forms.IntegerField(
        label="Infusion duration (min)", required=False, min_value=1, max_value=1440
    )
    cap_choice = forms.ChoiceField(
        label="Above the hard cap, order",
        choices=CapChoice.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    cap_reason = forms.CharField(
        label="Reason to order above the cap",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def dose_request(self) -> dict:
        data = dict(self.cleaned_data)
        data["cap_choice"] = data.get("cap_choice") or None
        data["cap_reason"] = data.get("cap_reason") or ""
        return data


def _override_fields() -> dict[str, forms.CharField]:
    return {
        "override_reason": forms.CharField(
            label="Prescriber's override: reason to accept a dose that differs from its order",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
        "deviation_reason": forms.CharField(
            label="Reason the infusion ran shorter or longer than ordered",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
    }


class StartAdministrationForm(forms.Form):
    """With a ledger container, product and lot come from it and stopping the dose writes
    the ledger's administration entry; without one they are typed."""

    container: forms.ModelChoiceField[Container] = forms.ModelChoiceField(
        label="Ledger container",
        queryset=None,
        required=False,
        empty_label="Not from the ledger (type product and lot)",
    )
    product = forms.CharField(label="Product", max_length=120, required=False)
    lot = forms.CharField(label="Lot", max_length=40, required=False)
    volume_drawn_ml = forms.DecimalField(
        label="Volume drawn from the vial (mL)",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    strength_mg = forms.DecimalField(
        label="Strength (mg/mL, or mg per device or troche)",
        required=False,
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="Only when not from the ledger: a ledger container knows its strength.",
    )
    rate_ml_per_h = forms.DecimalField(
        label="Pump rate set (mL/h)",
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    started_at = _time("Started at")

    def __init__(self, *args, containers=None, order=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_override_fields())
        del self.fields["deviation_reason"]
        field = self.fields["container"]
        field.queryset = containers if containers is not None else Container.objects.none()
        field.label_from_instance = lambda c: (
            f"{c.label} · {c.product.name} · lot {c.lot.lot_number} "
            f"(exp {c.lot.expires_on:%Y-%m-%d}) · {c.product.quantity_text(c.on_hand)} left"
            + (f" — {for_this_order(order, c)}" if order is not None else "")
        )


def for_this_order(order, container) -> str:
    """What the order means in this container, for the nurse to read before starting."""
    try:
        prepared = prepare_for(order, container=container, strength_mg=None)
    except InputError as error:
        return f"NOT FOR THIS ORDER: {error.message}"
    return prepared.note


class FinishAdministrationForm(forms.Form):
    volume_given_ml = forms.DecimalField(
        label="Volume of it given (mL)",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
    )
    units_given = forms.IntegerField(
        label="Devices or troches given", required=False, min_value=0, max_value=100
    )
    stopped_at = _time("Stopped at")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_override_fields())


class VitalSignForm(forms.Form):
    taken_at = _time("Time")
    bp_systolic = _vital("bp_systolic", "Systolic")
    bp_diastolic = _vital("bp_diastolic", "Diastolic")
    heart_rate = _vital("heart_rate", "Heart rate")
    spo2 = _vital("spo2", "SpO2 %")
    respiratory_rate = _vital("respiratory_rate", "Resp. rate", required=False)


NO_CHOICE = ("", "— choose —")
"""Forced-choice scales start empty: a pre-selected score (MOAA/S 0 is the worst) would be
charted by anyone who submits without looking (issue 12)."""


def _scale_choices(scale_id: str, item_key: str) -> list[tuple[int | str, str]]:
    item = next(item for item in get_scale(scale_id).items if item.key == item_key)
    return [NO_CHOICE] + [
        (option.value, f"{option.value} — {option.label}") for option in item.options
    ]


class MoaasForm(forms.Form):
    taken_at = _time("Time")
    item1 = forms.TypedChoiceField(
        label="MOAA/S", coerce=int, empty_value=None, choices=_scale_choices("moaas", "item1")
    )

    def answers(self) -> dict[str, int]:
        return {"item1": self.cleaned_data["item1"]}


class CadssForm(forms.Form):
    """The 23 subjective items (0-4) and the 5 optional observer items, numbers only."""

    taken_at = _time("Time")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for item in get_scale("cadss").items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=str(item.number),
                coerce=int,
                required=item.required,
                empty_value=None,
                choices=[("", "—")] + [(o.value, str(o.value)) for o in item.options],
            )

    def answers(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in get_scale("cadss").items}


class AdverseEventForm(forms.Form):
    kind = forms.ChoiceField(choices=AdverseEventKind.choices)
    severity = forms.ChoiceField(choices=Severity.choices)
    onset_at = _time("Onset")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    action_taken = forms.CharField(
        label="Action taken", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RescueMedicationForm(forms.Form):
    drug = forms.CharField(max_length=80)
    dose_mg = forms.DecimalField(label="Dose (mg)", max_digits=7, decimal_places=3)
    route = forms.ChoiceField(choices=MedicationRoute.choices)
    given_at = _time("Given at")
    reason = forms.CharField(required=False, max_length=200)


YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def yes_no(label: str) -> forms.TypedChoiceField:
    """A REMS yes/no box: blank until answered (the form asks; it never assumes "no")."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )


def yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class RemsDischargeFields(forms.Form):
    """What the REMS form needs and the chart cannot know, asked at an esketamine discharge
    (prefilled from the patient's last form)."""

    benzodiazepines = yes_no("Taking benzodiazepines?")
    non_benzodiazepine_hypnotics = yes_no("Taking non-benzodiazepine sedative hypnotics?")
    psychostimulants = yes_no("Taking psychostimulants?")
    maois = yes_no("Taking MAOIs?")
    opioids = yes_no("Taking opioids?")
    ready_to_leave_minutes = forms.IntegerField(
        label="Without the 2-hour rule, ready to leave at (minutes after the first device)",
        required=False,
        min_value=0,
        max_value=1440,
    )

    REMS_FIELDS = (
        "benzodiazepines",
        "non_benzodiazepine_hypnotics",
        "psychostimulants",
        "maois",
        "opioids",
        "ready_to_leave_minutes",
    )

    def rems_answers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.REMS_FIELDS}


class DischargeForm(RemsDischargeFields):
    dissociation_resolved = forms.BooleanField(label="Dissociation resolved", required=False)
    escort_confirmed = forms.BooleanField(label="Escort confirmed", required=False)
    escort_name = forms.CharField(label="Escort's name", required=False, max_length=120)
    instruction_given = forms.BooleanField(
        label="No-driving instruction given to the patient and escort", required=False
    )
    override_reason = forms.CharField(
        label="Prescriber: reason to discharge although not ready",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class SessionNoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class RemsRecordForm(forms.ModelForm):
    """Every box of the printed form (``clinical.rems_form.FIELDS``), in its order."""

    respiratory_status = forms.ChoiceField(choices=RespiratoryStatus.choices)
    patient_sex = forms.ChoiceField(choices=[("", "—"), *SEX_CHOICES], required=False)

    class Meta:
        model = RemsRecord
        fields = [
            "patient_first_name",
            "patient_middle_initial",
            "patient_last_name",
            "patient_birth_date",
            "patient_sex",
            "first_treatment",
            "patient_enrolled",
            "benzodiazepines",
            "non_benzodiazepine_hypnotics",
            "psychostimulants",
            "maois",
            "opioids",
            "clinician_first_name",
            "clinician_last_name",
            "clinician_phone",
            "clinician_email",
            "setting_name",
            "setting_address_1",
            "setting_address_2",
            "setting_city",
            "setting_state",
            "setting_zip",
            "treatment_date",
            "dose_mg",
            "lot",
            "monitoring_minutes",
            "ready_to_leave_minutes",
            "vitals_ok_before",
            "vitals_ok_at_completion",
            "bp_before_systolic",
            "bp_before_diastolic",
            "bp_40min_systolic",
            "bp_40min_diastolic",
            "bp_discharge_systolic",
            "bp_discharge_diastolic",
            "sedation",
            "dissociation",
            "respiratory_status",
            "pulse_oximetry",
            "serious_adverse_event",
            "serious_adverse_event_description",
            "concomitant_medications",
            "adverse_events",
        ]
        labels = {
            **{f.name: f.label for f in REMS_FIELDS},
            "patient_first_name": "Patient: first name",
            "patient_last_name": "Patient: last name",
            "clinician_first_name": "Monitoring clinician: first name",
            "clinician_last_name": "Monitoring clinician: last name",
            "clinician_phone": "Monitoring clinician: telephone",
            "clinician_email": "Monitoring clinician: e-mail",
            "dose_mg": "Dose (mg): 56, 84 or other",
            "lot": "Lot number",
            "monitoring_minutes": "Total monitoring (minutes, first device to end of monitoring)",
            "bp_before_systolic": "Before dosing: systolic",
            "bp_before_diastolic": "Before dosing: diastolic",
            "bp_40min_systolic": "At about 40 min: systolic",
            "bp_40min_diastolic": "At about 40 min: diastolic",
            "bp_discharge_systolic": "Before discharge: systolic",
            "bp_discharge_diastolic": "Before discharge: diastolic",
            "concomitant_medications": "Rescue medications given (for the record)",
        }
        widgets = {
            "patient_birth_date": forms.DateInput(attrs={"type": "date"}),
            "treatment_date": forms.DateInput(attrs={"type": "date"}),
            "concomitant_medications": forms.Textarea(attrs={"rows": 2}),
            "adverse_events": forms.Textarea(attrs={"rows": 2}),
            "serious_adverse_event_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.status in (RemsStatus.SENT, RemsStatus.MARKED):
            for field in self.fields.values():
                field.disabled = True


class RemsEnrolmentForm(forms.Form):
    enrolled_on = forms.DateField(
        label="Enrolled in the SPRAVATO REMS on", widget=forms.DateInput(attrs={"type": "date"})
    )
    rems_patient_id = forms.CharField(label="REMS patient ID", max_length=40, required=False)


class RemsSubmittedForm(forms.Form):
    reference = forms.CharField(
        label="REMS confirmation or reference", max_length=80, required=False
    )


class IntegrationNoteForm(forms.Form):
    met_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    session = forms.TypedChoiceField(
        label="Dosing session it integrates", required=False, coerce=int, empty_value=None
    )
    intentions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    experience = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    integration_themes = forms.CharField(
        label="Integration themes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, sessions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "session").choices = [("", "None")] + [
            (s.pk, f"{s.planned_start:%Y-%m-%d} · session {s.number}") for s in sessions
        ]
