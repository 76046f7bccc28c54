from django import forms


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": "e.g. Called patient; safety plan reviewed; no plan or intent.",
            }
        ),
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Say what was done before acknowledging.", code="empty")
        return note


class AlertFilterForm(forms.Form):
    STATES = [("open", "Open"), ("acknowledged", "Acknowledged"), ("all", "All")]
    state = forms.ChoiceField(choices=STATES, required=False, initial="open")
