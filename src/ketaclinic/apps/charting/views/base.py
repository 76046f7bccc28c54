"""What every chart view shares: finding the session, re-rendering the chart with errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.charting.context import chart_context
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.models import Session

CHART = "charting/session_chart.html"


def require_any_permission(*permissions: str) -> Callable:
    """Log in first, then hold at least one of ``permissions``, else 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_perm(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


CHART_SESSIONS = Session.objects.select_related(
    "patient", "patient__site", "site", "course", "course__prescriber"
)


def chart_session(request: HttpRequest, session_id: int, *permissions: str) -> Session:
    """The session, if the user holds one of ``permissions`` at its site; else 404."""
    return get_for_user_or_404(
        CHART_SESSIONS, request.user, *permissions, any_of=True, pk=session_id
    )


def back_to_chart(session, anchor: str = "") -> HttpResponse:
    response = redirect("charting:chart", session_id=session.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def chart_with_errors(request: HttpRequest, session, **forms: Any) -> HttpResponse:
    """The whole chart again, the failing form bound with its errors (422)."""
    return render(request, CHART, chart_context(request, session, **forms), status=422)


def refused(request: HttpRequest, session, error: ChartRefused) -> HttpResponse:
    messages.error(request, error.message)
    return render(request, CHART, chart_context(request, session), status=409)
