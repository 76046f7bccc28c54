"""Who may see which patients: the one place site scoping is enforced.

Every view, API endpoint and export that touches patient data gets its patients through
``patients_for`` or ``patient_for``; a patient at a site the user does not work at is a 404,
not a 403, so its existence is not disclosed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ketaclinic.apps.accounts.models import Site, User
    from ketaclinic.apps.patients.models import Patient


def site_ids_for(user: User) -> list[int]:
    """The sites a member of staff works at (cached on the user for the request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_site_ids", None)
    if cached is None:
        cached = list(user.sites.values_list("id", flat=True))
        user._site_ids = cached
    return cached


def narrow_to_sites(user: User, site_ids: Iterable[int]) -> None:
    """Limit ``user`` to those of ``site_ids`` they work at, for this request (an API token)."""
    user._site_ids = sorted(set(site_ids_for(user)) & set(site_ids))  # type: ignore[attr-defined]


def sites_for(user: User) -> QuerySet[Site]:
    from ketaclinic.apps.accounts.models import Site

    return Site.objects.filter(id__in=site_ids_for(user))


def patients_for(user: User, permission: str = "patients.view_patient") -> QuerySet[Patient]:
    """The patients ``user`` may see (or act on, with ``permission``) — at their sites only."""
    from ketaclinic.apps.patients.models import Patient

    if not user.has_perm(permission):
        return Patient.objects.none()
    return Patient.objects.filter(site_id__in=site_ids_for(user))


def patient_for(user: User, patient_id: int, permission: str = "patients.view_patient") -> Patient:
    """One patient the user may see, or 404 (another site's patient is indistinguishable)."""
    try:
        return patients_for(user, permission).select_related("site").get(pk=patient_id)
    except (ValueError, TypeError):
        raise Http404("No such patient") from None
    except patients_for(user, permission).model.DoesNotExist:
        raise Http404("No such patient") from None


def require_permission(*permissions: str) -> Callable:
    """View decorator: log in first, then hold every permission, else 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
