"""Finding a patient by name, MRN or date of birth within the sites a user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from ketaclinic.apps.patients.models import MRN_FORMAT, Patient

_MRN_SHAPE = MRN_FORMAT.regex


def search_patients(
    patients: QuerySet[Patient], text: str, born: dt.date | None
) -> QuerySet[Patient]:
    """Every word must start a given or family name (prefix match keeps it index-friendly);
    a word shaped like an MRN also matches the MRN exactly. "Rivera, Ana" works as typed."""
    words = [w for w in text.replace(",", " ").split() if w]
    for word in words:
        condition = Q(given_name__istartswith=word) | Q(family_name__istartswith=word)
        if _MRN_SHAPE.match(word.upper()):
            condition |= Q(mrn=word.upper())
        patients = patients.filter(condition)
    if born:
        patients = patients.filter(date_of_birth=born)
    return patients
