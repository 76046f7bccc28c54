"""Forms: one questionnaire form for every instrument, built from its definition.

``InstrumentForm`` renders any scale from ``clinical.scales`` (radio groups with the
licensed option labels, or numbers only), leaves every check to the core and puts the
core's errors on the item they name. Skip logic works without JavaScript: dependent items
are always shown with a note and a "not asked" choice, and the core refuses an answer to
a question its rules did not ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms

from ketaclinic.apps.assessments.answers import check_answers
from ketaclinic.apps.assessments.choices import ScheduleRule, SentVia
from ketaclinic.apps.assessments.links import self_report_instruments
from ketaclinic.apps.assessments.models import QuestionnaireSchedule
from ketaclinic.apps.assessments.naming import short_title
from ketaclinic.apps.treatment.choices import CoursePhase
from ketaclinic.apps.web.form_fields import choice_field, model_choice_field
from ketaclinic.clinical.scales import FlagLevel, Instrument, ScaleResult, get_scale

if TYPE_CHECKING:
    from ketaclinic.apps.treatment.models import Session

SKIPPED_LABEL = "Not asked (skipped)"
OPTIONAL_LABEL = "No answer"


def _safety_ranges(instrument: Instrument) -> dict[str, tuple[int, int]]:
    """Items whose answers can raise a flag, with the range that does (for the crisis
    box a patient sees as soon as such an answer is chosen)."""
    ranges = {rule.item: (rule.minimum, rule.maximum) for rule in instrument.safety_rules}
    for level in instrument.triage:
        if level.flag_level is FlagLevel.ALERT:
            for condition in level.any_of:
                ranges.setdefault(condition.item, (condition.value, condition.value))
    return ranges


def _in_range(value: str, bounds: tuple[int, int] | None) -> bool:
    if bounds is None or not value.lstrip("-").isdigit():
        return False
    return bounds[0] <= int(value) <= bounds[1]


class InstrumentForm(forms.Form):
    """The answers to one instrument. ``result`` holds the core's score once valid."""

    def __init__(
        self,
        instrument_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        prefix: str | None = None,
        initial_answers: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(data, prefix=prefix)
        self.instrument = get_scale(instrument_id)
        self.result: ScaleResult | None = None
        initial_answers = initial_answers or {}
        for item in self.instrument.items:
            choices = [
                (str(option.value), option.label or str(option.value)) for option in item.options
            ]
            if item.asked_if is not None:
                choices.append(("", SKIPPED_LABEL))
            elif not item.required:
                choices.append(("", OPTIONAL_LABEL))
            self.fields[item.key] = forms.ChoiceField(
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                label=item.text or item.label,
                initial=str(initial_answers[item.key]) if item.key in initial_answers else None,
            )

    @property
    def title(self) -> str:
        return self.instrument.title

    @property
    def short_title(self) -> str:
        return short_title(self.instrument)

    @property
    def label_only(self) -> bool:
        """True when the licence keeps item wording out (numbers and short labels only)."""
        return all(item.text is None for item in self.instrument.items)

    def answers(self) -> dict[str, int | None]:
        """The answers as the core takes them (``None`` for left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            key: (int(value) if value not in ("", None) else None)
            for key, value in data.items()
            if key in self.fields
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        checked = check_answers(self.instrument.id, self.answers())
        for field, message in checked.errors.items():
            if field not in self.errors:  # a choice Django refused already has its message
                self.add_error(field if field in self.fields else None, message)
        self.result = None if self.errors else checked.result
        return cleaned

    def raw_answers(self) -> dict[str, str]:
        """What was ticked, even on an invalid form (to keep the patient's choices)."""
        if not self.is_bound:
            return {key: str(f.initial) for key, f in self.fields.items() if f.initial is not None}
        return {key: self.data.get(self.add_prefix(key), "") for key in self.fields}

    def safety_answer_given(self) -> bool:
        """True when a submitted answer lies in a safety item's flag range (even if the rest
        of the form is still incomplete): the crisis box goes to the top of the form."""
        ticked = self.raw_answers()
        ranges = _safety_ranges(self.instrument)
        return any(_in_range(ticked.get(key, ""), bounds) for key, bounds in ranges.items())

    def item_rows(self) -> list[dict[str, Any]]:
        """Everything the template needs per item, already worked out."""
        ticked = (
            self.raw_answers()
            if self.is_bound
            else {key: str(f.initial) for key, f in self.fields.items() if f.initial is not None}
        )
        by_key = {item.key: item for item in self.instrument.items}
        safety = _safety_ranges(self.instrument)
        rows = []
        for item in self.instrument.items:
            bound = self[item.key]
            condition = item.asked_if
            note = ""
            if condition is not None:
                parent = by_key[condition.item]
                answer = next(
                    (o.label or str(o.value) for o in parent.options if o.value == condition.value),
                    str(condition.value),
                )
                note = f"Only if the answer to question {parent.number} is “{answer}”."
            elif not item.required:
                note = "Optional."
            if not item.scored and item.required:
                note = (note + " Not scored.").strip()
            rows.append(
                {
                    "key": item.key,
                    "name": bound.html_name,
                    "id": bound.auto_id,
                    "number": item.number,
                    "label": item.label,
                    "text": item.text,
                    "note": note,
                    "required": item.required and condition is None,
                    "options": [
                        {
                            "value": value,
                            "label": label,
                            "checked": ticked.get(item.key, None) == value,
                            "id": f"{bound.auto_id}_{index}",
                        }
                        for index, (value, label) in enumerate(bound.field.choices)
                    ],
                    "errors": bound.errors,
                    "asked_if_item": by_key[condition.item].key if condition else "",
                    "asked_if_name": self.add_prefix(condition.item) if condition else "",
                    "asked_if_value": condition.value if condition else "",
                    "safety": safety.get(item.key),
                    "safety_positive": _in_range(ticked.get(item.key, ""), safety.get(item.key)),
                }
            )
        return rows


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EntryDetailsForm(forms.Form):
    """When the instrument was taken and, optionally, at which session.

    Times are read in the site's time zone (the view activates it); ``now`` is passed in.
    """

    taken_at = forms.DateTimeField(
        label="Taken at", widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    session: forms.ModelChoiceField[Session] = forms.ModelChoiceField(
        label="At session", queryset=None, required=False, empty_label="Not at a session"
    )

    def __init__(self, *args: Any, sessions: Any, now: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "session").queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"Session {s.number} · {s.planned_start:%Y-%m-%d} · {s.get_status_display()}"
        )
        self.now = now

    def clean_taken_at(self) -> dt.datetime:
        taken_at = self.cleaned_data["taken_at"]
        if taken_at > self.now + dt.timedelta(minutes=5):
            raise forms.ValidationError("This time is in the future.", code="future")
        if taken_at.year < 2000:
            raise forms.ValidationError("Check the year.", code="too_old")
        return taken_at


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="Why are you correcting it?",
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "e.g. Item 4 transcribed wrongly from the paper form."}
        ),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why.", code="empty")
        return reason


LIFETIME_CHOICES = [("24", "1 day"), ("72", "3 days"), ("168", "7 days")]


class SentViaOnFile:
    """For a form sending a private link to ``self.patient``: ``sent_via`` must name a way
    the clinic has on file (an e-mail address, a phone number)."""

    patient: Any
    cleaned_data: dict[str, Any]

    def clean_sent_via(self) -> str:
        via = self.cleaned_data["sent_via"]
        if via == SentVia.EMAIL and not self.patient.email:
            raise forms.ValidationError("No e-mail address on file for this patient.")
        if via == SentVia.SMS and not self.patient.phone:
            raise forms.ValidationError("No phone number on file for this patient.")
        return via


class SendLinkForm(SentViaOnFile, forms.Form):
    """Which questionnaires to send, how, and for how long the link works."""

    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    sent_via = forms.ChoiceField(
        label="Send by", widget=forms.RadioSelect, choices=SentVia.choices, initial=SentVia.EMAIL
    )
    lifetime_hours = forms.TypedChoiceField(
        label="Link works for", choices=LIFETIME_CHOICES, coerce=int, initial="72"
    )

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        choice_field(self, "instruments").choices = [
            (key, get_scale(key).title) for key in self_report_instruments()
        ]


class ScheduleForm(forms.ModelForm):
    """Repeat questionnaires automatically: before every session, weekly or every N days."""

    instruments = forms.MultipleChoiceField(
        label="Questionnaires", widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = QuestionnaireSchedule
        fields = ["instruments", "rule", "every_n_days", "only_in_phase", "send_via"]
        widgets = {"rule": forms.RadioSelect}
        labels = {"only_in_phase": "Only during", "every_n_days": "Every how many days"}

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="schedule", **kwargs)
        self.patient = patient
        choice_field(self, "instruments").choices = [
            (key, get_scale(key).title) for key in self_report_instruments()
        ]
        choice_field(self, "send_via").choices = [
            (SentVia.EMAIL, SentVia.EMAIL.label),
            (SentVia.SMS, SentVia.SMS.label),
        ]
        choice_field(self, "rule").choices = ScheduleRule.choices
        self.fields["only_in_phase"].required = False
        choice_field(self, "only_in_phase").choices = [
            ("", "The whole course"),
            *CoursePhase.choices,
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        rule, every = cleaned.get("rule"), cleaned.get("every_n_days")
        if rule == ScheduleRule.EVERY_N_DAYS and not every:
            self.add_error("every_n_days", "Say every how many days (1 to 90).")
        elif rule == ScheduleRule.EVERY_N_DAYS and not 1 <= every <= 90:
            self.add_error("every_n_days", "Use 1 to 90 days.")
        elif rule and rule != ScheduleRule.EVERY_N_DAYS:
            cleaned["every_n_days"] = None
        via = cleaned.get("send_via")
        if via == SentVia.EMAIL and not self.patient.email:
            self.add_error("send_via", "No e-mail address on file for this patient.")
        if via == SentVia.SMS and not self.patient.phone:
            self.add_error("send_via", "No phone number on file for this patient.")
        return cleaned
