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

from ketaclinic.apps.charting.access import session_for
from ketaclinic.apps.charting.context import chart_context
from ketaclinic.apps.charting.refusals import ChartRefused

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


def chart_session(request: HttpRequest, session_id: int, *permissions: str):
    return session_for(request.user, session_id, *permissions)


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
