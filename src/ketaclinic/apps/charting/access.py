"""Which sessions a user may see: the patient's site decides, as for the patient chart.

A session of another site's patient is a 404, never a 403, like ``accounts.access``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from ketaclinic.apps.accounts.scoping import site_ids_for
from ketaclinic.apps.treatment.models import Session

if TYPE_CHECKING:
    from django.db.models import QuerySet


def sessions_for(user, *permissions: str) -> QuerySet[Session]:
    """Sessions at the user's sites, if the user holds any one of ``permissions``."""
    if not any(user.has_perm(permission) for permission in permissions):
        return Session.objects.none()
    return Session.objects.filter(patient__site_id__in=site_ids_for(user))


def session_for(user, session_id: int, *permissions: str) -> Session:
    """One session with its patient, site and course, or 404."""
    try:
        return (
            sessions_for(user, *permissions)
            .select_related("patient", "patient__site", "site", "course", "course__prescriber")
            .get(pk=session_id)
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404("No such session") from None
