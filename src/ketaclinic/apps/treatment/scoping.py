"""Treatment records a user may see: those of their sites only (404 otherwise).

The same rule as ``accounts.access.patient_for``: another site's screening, course or session
is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404

from ketaclinic.apps.accounts.scoping import site_ids_for
from ketaclinic.apps.treatment.models import Course, Screening, Session


def _one(model: type[Model], user: Any, pk: int, related: tuple[str, ...]) -> Any:
    try:
        return model.objects.select_related(*related).get(pk=pk, site_id__in=site_ids_for(user))
    except model.DoesNotExist:
        raise Http404(f"No such {model._meta.verbose_name}") from None


def screening_for(user: Any, pk: int) -> Screening:
    return _one(Screening, user, pk, ("patient", "site", "screened_by", "signed_by"))


def course_for(user: Any, pk: int) -> Course:
    return _one(Course, user, pk, ("patient", "site", "prescriber", "screening"))


def session_for(user: Any, pk: int) -> Session:
    return _one(Session, user, pk, ("patient", "site", "course"))
