"""Ledger forms: the shape of what people type; the rules live in ``operations``.

Field names match the names the operations use in their ``InputError``s, so a refusal from
the rules lands on the field it concerns (``apply_input_error``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from ketaclinic.apps.accounts.models import DEA_NUMBER, Site, User
from ketaclinic.apps.accounts.scoping import staff_holding
from ketaclinic.apps.ledger.appending import WITNESS_PERMISSION
from ketaclinic.apps.ledger.choices import (
    DestructionMethod,
    EntryKind,
    InventoryKind,
    InventoryTiming,
    LossType,
)
from ketaclinic.apps.ledger.models import Container, LedgerEntry, Product
from ketaclinic.apps.ledger.operations import outstanding_waste
from ketaclinic.apps.web.form_fields import model_choice_field
from ketaclinic.clinical.exceptions import InputError

if TYPE_CHECKING:
    from ketaclinic.apps.treatment.models import Session

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUANTITY_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def apply_input_error(form: forms.Form, error: InputError) -> None:
    """Put a rule's refusal on the field it names (or on the form when it names none)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message if field else f"{error.field}: {error.message}")


def witnesses_for(container_site_id: int, user: User) -> QuerySet[User]:
    """Everyone at the site who may witness, except the person recording."""
    return (
        staff_holding(WITNESS_PERMISSION, container_site_id)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "username")
    )


class WitnessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.username})"


def _quantity_field(container: Container, label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=f"{label} ({container.product.unit_label})",
        max_length=20,
        widget=QUANTITY_INPUT,
        **kwargs,
    )


class ReceiveForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True))
    lot_number = forms.CharField(max_length=40)
    expires_on = forms.DateField(label="Expires on", widget=DATE_INPUT)
    containers = forms.IntegerField(
        label="Number of containers", min_value=1, max_value=500, initial=1
    )
    supplier_name = forms.CharField(max_length=200)
    supplier_address = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))
    supplier_dea = forms.CharField(
        label="Supplier DEA number", max_length=9, validators=[DEA_NUMBER]
    )
    invoice = forms.CharField(label="Invoice number", max_length=60)

    def __init__(self, *args: Any, sites, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = sites
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk


class AdministerForm(forms.Form):
    session: forms.ModelChoiceField[Session] = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Today's sessions at this site."
    )
    patient = forms.CharField(
        label="Patient MRN",
        max_length=20,
        required=False,
        help_text="Needed only without a session.",
    )
    volume_drawn_ml = forms.CharField(label="Volume drawn (mL)", max_length=20, required=False)
    volume_given_ml = forms.CharField(label="Volume given (mL)", max_length=20, required=False)
    units_given = forms.CharField(label="Units given", max_length=6, required=False)

    def __init__(self, *args: Any, container: Container, sessions, patients, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.container = container
        self.patients = patients
        model_choice_field(self, "session").queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.planned_start:%H:%M} · {s.patient.family_name}, {s.patient.given_name} "
            f"({s.patient.mrn}) · session {s.number}"
        )
        if container.product.measure == "ul":
            del self.fields["units_given"]
            for name in ("volume_drawn_ml", "volume_given_ml"):
                self.fields[name].required = True
                self.fields[name].widget = QUANTITY_INPUT
        else:
            del self.fields["volume_drawn_ml"]
            del self.fields["volume_given_ml"]
            self.fields["units_given"].required = True

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        session = cleaned.get("session")
        mrn = (cleaned.get("patient") or "").strip()
        if session is not None:
            cleaned["patient"] = session.patient
        elif not mrn:
            self.add_error("patient", "Choose a session or give the patient's MRN.")
        else:
            found = self.patients.filter(mrn__iexact=mrn).first()
            if found is None:
                self.add_error("patient", "No patient with this MRN at this site.")
            cleaned["patient"] = found
        return cleaned


class WasteForm(forms.Form):
    administration: forms.ModelChoiceField[LedgerEntry] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="After the dose",
        help_text="The syringe remainder of a dose; leave empty for other waste.",
    )
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    witness = WitnessChoiceField(queryset=None)
    witness_password = forms.CharField(
        label="Witness's password",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="The witness types their own password.",
    )

    def __init__(self, *args: Any, container: Container, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"quantity": _quantity_field(container, "Quantity wasted"), **self.fields}
        model_choice_field(self, "administration").queryset = doses_awaiting_waste(container)
        self.fields["administration"].label_from_instance = lambda e: (
            f"{e.occurred_at:%Y-%m-%d %H:%M} · {e.patient.family_name} · "
            f"{container.product.quantity_text(outstanding_waste(e))} drawn, not given"
        )
        model_choice_field(self, "witness").queryset = witnesses_for(container.site_id, user)


def doses_awaiting_waste(container: Container) -> QuerySet[LedgerEntry]:
    """This container's doses whose syringe remainder has not all been wasted yet (the stored
    ``WasteAwaited`` rows, so the form does not total the waste of every dose it ever gave)."""
    return LedgerEntry.objects.filter(
        container=container, waste_awaited__isnull=False
    ).select_related("patient")


class DestroyForm(forms.Form):
    method = forms.ChoiceField(choices=DestructionMethod.choices)
    reason = forms.CharField(max_length=500, help_text="e.g. expired, contaminated.")
    witness = WitnessChoiceField(queryset=None, label="First witness")
    witness_password = forms.CharField(
        label="First witness's password", widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )
    second_witness = WitnessChoiceField(queryset=None, label="Second witness")
    second_witness_password = forms.CharField(
        label="Second witness's password",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, container: Container, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "quantity": _quantity_field(container, "Quantity destroyed", initial=_plain(container)),
            **self.fields,
        }
        witnesses = witnesses_for(container.site_id, user)
        model_choice_field(self, "witness").queryset = witnesses
        model_choice_field(self, "second_witness").queryset = witnesses


def _plain(container: Container) -> str:
    """The balance as a number to type (mL or units), for a form's initial value."""
    return container.on_hand_text.split(" ")[0]


class CountForm(forms.Form):
    estimated = forms.BooleanField(
        required=False,
        label="Estimated",
        help_text="Allowed for an opened container of a Schedule III-V drug (21 CFR 1304.11).",
    )

    def __init__(self, *args: Any, container: Container, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "counted": _quantity_field(
                container, "Counted", help_text="What is physically there; 0 if empty."
            ),
            **self.fields,
        }


class LossForm(forms.Form):
    loss_type = forms.ChoiceField(label="Type of theft or loss", choices=LossType.choices)
    discovered_on = forms.DateField(widget=DATE_INPUT)
    police_notified = forms.BooleanField(required=False)
    description = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, container: Container, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"quantity": _quantity_field(container, "Quantity lost"), **self.fields}


class TransferForm(forms.Form):
    to_site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(queryset=None, label="To site")
    reason = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, container: Container, sites, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "quantity": _quantity_field(
                container, "Quantity", required=False, help_text="Empty: everything."
            ),
            **self.fields,
        }
        model_choice_field(self, "to_site").queryset = sites.exclude(pk=container.site_id)


class CorrectForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, entry: LedgerEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "corrected_quantity": _quantity_field(entry.container, "What it should say"),
            **self.fields,
        }


class ResolveForm(forms.Form):
    reason = forms.CharField(
        label="What explains the difference",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LossProgressForm(forms.Form):
    step = forms.ChoiceField(choices=[("notified", "notified"), ("form_106", "form_106")])
    reference = forms.CharField(max_length=60, required=False)


class InventoryForm(forms.Form):
    kind = forms.ChoiceField(choices=InventoryKind.choices)
    timing = forms.ChoiceField(
        choices=InventoryTiming.choices, help_text="21 CFR 1304.11(a) asks which."
    )
    note = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args: Any, containers: list[Container], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.containers = containers
        for container in containers:
            self.fields[f"container_{container.pk}"] = _quantity_field(
                container, f"{container.label} · {container.product.name}"
            )
            self.fields[f"estimated_{container.pk}"] = forms.BooleanField(
                required=False, label="Estimated"
            )

    def rows(self) -> Iterator[tuple[Container, forms.BoundField, forms.BoundField]]:
        for container in self.containers:
            yield container, self[f"container_{container.pk}"], self[f"estimated_{container.pk}"]

    def counts(self) -> dict[int, tuple[str, bool]]:
        return {
            c.pk: (self.cleaned_data[f"container_{c.pk}"], self.cleaned_data[f"estimated_{c.pk}"])
            for c in self.containers
        }


class ReportFilterForm(forms.Form):
    """Filters an inspector asks for: dates, product, lot, container, kind."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    date_from = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    date_to = forms.DateField(required=False, widget=DATE_INPUT, label="To")
    product = forms.ModelChoiceField(queryset=Product.objects.all(), required=False)
    lot = forms.CharField(max_length=40, required=False, label="Lot number")
    container = forms.CharField(max_length=40, required=False, label="Container label")
    kind = forms.ChoiceField(choices=[("", "All kinds"), *EntryKind.choices], required=False)

    def __init__(self, *args: Any, sites, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = sites

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end is before the start.")
        return cleaned

    @staticmethod
    def day_bounds(day: dt.date, tz) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)
