"""Forms for the KAP pages. The rules live in ``notes`` and ``enrolment``; these forms only
shape the input (and show the field each rule names)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from ketaclinic.apps.kap.choices import Consent, ProgramStatus
from ketaclinic.apps.kap.notes import CONSENT_PARTS, SHAPES
from ketaclinic.apps.web.form_fields import model_choice_field
from ketaclinic.clinical.exceptions import InputError

if TYPE_CHECKING:
    from ketaclinic.apps.accounts.models import User


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


PART_FIELDS = {
    "intentions": lambda: _text(
        "Intentions", "What the patient hopes to explore or let go of, in their words."
    ),
    "set_and_setting": lambda: _text(
        "Set and setting",
        "Mindset today; the room, eyeshades, who is present, how the session will close.",
    ),
    "concerns": lambda: _text(
        "Concerns", "Fears about the medicine or the session; how to meet them."
    ),
    "touch_consent": lambda: forms.ChoiceField(
        label="Supportive touch (e.g. a hand on the shoulder)",
        choices=Consent.choices,
        initial=Consent.NOT_DISCUSSED,
        widget=forms.RadioSelect,
    ),
    "music_consent": lambda: forms.ChoiceField(
        label="Music during the session",
        choices=Consent.choices,
        initial=Consent.NOT_DISCUSSED,
        widget=forms.RadioSelect,
    ),
    "experience": lambda: _text(
        "Experience", "What the patient lived in the session: imagery, feelings, body, memories.", 4
    ),
    "integration_themes": lambda: _text(
        "Integration themes",
        "What is coming up since the dosing session; what it means to them.",
        4,
    ),
    "practices": lambda: _text(
        "Practices", "Between sessions: journaling, breathwork, walks, conversations."
    ),
    "plan": lambda: _text("Plan", "Next steps, next session's focus, safety follow-up.", 2),
}


class KapNoteForm(forms.Form):
    """The parts of one kind of note (preparation, dosing or integration) and nothing else."""

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        shape = SHAPES[kind]
        for name in shape.parts:
            self.fields[name] = PART_FIELDS[name]()
        self.fields[shape.principal].label += " *"
        self.principal = shape.principal

    consent_names = CONSENT_PARTS


def attach_errors(form: forms.Form, errors: list[InputError]) -> None:
    """Each refusal on the field it names (``session_id`` and unknown fields above the form)."""
    for error in errors:
        form.add_error(error.field if error.field in form.fields else None, error.message)


class StartProgramForm(forms.Form):
    therapist: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, empty_label="Choose a therapist"
    )
    co_therapist: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="None", label="Co-therapist"
    )
    goals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the patient hopes the program will change, in their words.",
    )
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, therapists, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "therapist").queryset = therapists
        model_choice_field(self, "co_therapist").queryset = therapists
        label = lambda user: user.display_name  # noqa: E731 - one-line label
        self.fields["therapist"].label_from_instance = label
        self.fields["co_therapist"].label_from_instance = label


class CloseProgramForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            (ProgramStatus.COMPLETED, ProgramStatus.COMPLETED.label),
            (ProgramStatus.STOPPED, ProgramStatus.STOPPED.label),
        ],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(label="Ended on", widget=forms.DateInput(attrs={"type": "date"}))
    end_reason = forms.CharField(
        label="Why it ended early",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the program ended early.",
    )
