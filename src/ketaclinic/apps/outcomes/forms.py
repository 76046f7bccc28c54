"""The cohort filters, shared by the page and the API (one validation, one set of messages)."""

from __future__ import annotations

from django import forms

from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.accounts.scoping import site_ids_for, staff_holding
from ketaclinic.apps.outcomes.choices import AgeBand
from ketaclinic.apps.outcomes.cohort import CohortFilters
from ketaclinic.apps.patients.choices import SexAtBirth
from ketaclinic.apps.treatment.choices import Indication, Route
from ketaclinic.apps.web.form_fields import model_choice_field
from ketaclinic.clinical.protocols import PROTOCOLS

COHORT = "outcomes.view_cohort"
# Prescribers, by what only their role does (a role may be held at one site only).
ORDERS_DOSES = "charting.order_dose"
ANY = [("", "Any")]


class CohortFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, empty_label="All my sites"
    )
    route = forms.ChoiceField(choices=ANY + list(Route.choices), required=False)
    protocol = forms.ChoiceField(choices=ANY + [(p, p) for p in PROTOCOLS], required=False)
    condition = forms.ChoiceField(
        label="Indication", choices=ANY + list(Indication.choices), required=False
    )
    age_band = forms.ChoiceField(choices=ANY + list(AgeBand.choices), required=False)
    sex = forms.ChoiceField(choices=ANY + list(SexAtBirth.choices), required=False)
    prescriber = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any"
    )
    started_from = forms.DateField(
        required=False, label="First dose from", widget=forms.DateInput(attrs={"type": "date"})
    )
    started_to = forms.DateField(
        required=False, label="First dose to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        site_ids = site_ids_for(user, COHORT)
        model_choice_field(self, "site").queryset = Site.objects.filter(id__in=site_ids).order_by(
            "name"
        )
        model_choice_field(self, "prescriber").queryset = staff_holding(
            ORDERS_DOSES, site_ids
        ).order_by("last_name", "first_name", "username")
        self.fields["prescriber"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and end < start:
            self.add_error("started_to", "must be on or after the start of the period")
        return data

    def filters(self) -> CohortFilters:
        """The validated filters, always within the user's own sites."""
        data = self.cleaned_data if self.is_bound else {}
        site = data.get("site")
        prescriber = data.get("prescriber")
        return CohortFilters(
            site_ids=(site.pk,) if site else tuple(site_ids_for(self.user, COHORT)),
            route=data.get("route", ""),
            protocol_id=data.get("protocol", ""),
            indication=data.get("condition", ""),
            age_band=data.get("age_band", ""),
            sex=data.get("sex", ""),
            prescriber_id=prescriber.pk if prescriber else None,
            started_from=data.get("started_from"),
            started_to=data.get("started_to"),
        )
