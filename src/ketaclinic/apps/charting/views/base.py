"""What every chart view shares: finding the session, re-rendering the chart with errors.

Every charting view of one session is a ``chart_action`` (log-in, its permission declared
once, POST only unless stated, the session found within the user's sites) and most POSTs run
``submit``: bind the form, call the charting service, and answer with the chart (or its
panel) either way — the service's ``InputError`` on the form's field, a ``ChartRefused`` as
a 409 with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.charting.context import chart_context
from ketaclinic.apps.charting.forms import attach_error
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.models import Session
from ketaclinic.clinical.exceptions import InputError

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


def chart_action(*permissions: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """A charting view: ``permissions`` (any one suffices) are stated here only.

    The view is called with the session, found within the user's sites (404 otherwise),
    in place of the URL's ``session_id``. It answers POST only unless ``methods`` says
    otherwise (a page that shows a form and takes it back, a document to read).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @require_any_permission(*permissions)
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapped(request: HttpRequest, session_id: int, **kwargs: Any) -> HttpResponse:
            session = chart_session(request, session_id, *permissions)
            return view(request, session, **kwargs)

        return wrapped

    return decorator


def submit(
    request: HttpRequest,
    session: Any,
    form: Any,
    write: Callable[[dict[str, Any]], Any],
    *,
    form_name: str,
    anchor: str,
    success: str | Callable[[Any], str] = "",
    done: Callable[[Any], HttpResponse] | None = None,
    failed: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """Form -> charting service -> back to the chart; or the chart again with the errors.

    ``write`` gets the cleaned data; what it returns goes to ``success`` (a message, or a
    function making one) and ``done`` (the answer, by default the chart at ``anchor``). A
    write may answer itself by returning a response (the dose order's preview). ``failed``
    answers an invalid form (by default the whole chart, the form bound as ``form_name``).
    """
    if form.is_valid():
        try:
            result = write(dict(form.cleaned_data))
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            if isinstance(result, HttpResponse):
                return result
            message = success(result) if callable(success) else success
            if message:
                messages.success(request, message)
            return done(result) if done else back_to_chart(session, anchor)
    if failed is not None:
        return failed()
    return chart_with_errors(request, session, **{form_name: form})
