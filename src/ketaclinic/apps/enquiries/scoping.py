"""Which enquiries a member of staff may see: those of their sites only (404 otherwise).

The same rule as ``accounts.access.patient_for``: another site's enquiry is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from ketaclinic.apps.accounts.access import site_ids_for
from ketaclinic.apps.enquiries.models import Enquiry

__all__ = ["enquiries_for", "enquiry_for"]


def enquiries_for(user: Any, permission: str = "enquiries.view_enquiry") -> QuerySet[Enquiry]:
    if not user.has_perm(permission):
        return Enquiry.objects.none()
    return Enquiry.objects.filter(site_id__in=site_ids_for(user))


def enquiry_for(user: Any, pk: int, permission: str = "enquiries.view_enquiry") -> Enquiry:
    try:
        return enquiries_for(user, permission).select_related("site", "patient").get(pk=pk)
    except Enquiry.DoesNotExist:
        raise Http404("No such enquiry") from None
