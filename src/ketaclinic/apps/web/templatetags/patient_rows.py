"""``{% load patient_rows %}``: whether a patient has any row of a model, for chart sections.

The patient chart shows a program's section only when the patient takes part in it
(``{% if patient|has_rows:"homeprogram.HomePrescription" %}``). ``related.exists`` compiled a
queryset on every view; here each model's "first row of this patient" query is a
``PreparedQuery``, compiled once per database and run with the patient's id bound. The model
is named by its label, so this kernel module imports no feature app.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps

from ketaclinic.apps.web.prepared_query import PreparedQuery

register = template.Library()

_FIRST_ROW: dict[str, PreparedQuery] = {}


def _first_row(label: str) -> PreparedQuery:
    prepared = _FIRST_ROW.get(label)
    if prepared is None:
        model = apps.get_model(label)
        prepared = _FIRST_ROW[label] = PreparedQuery(
            lambda patient_id: (
                model._default_manager.filter(patient_id=patient_id)
                .order_by()
                .values_list("pk")[:1]
            )
        )
    return prepared


@register.filter
def has_rows(patient: Any, label: str) -> bool:
    """``patient`` has at least one row of the model ``label`` (``app_label.ModelName``)."""
    return bool(_first_row(label).rows(patient.pk))
