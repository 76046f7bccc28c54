"""The 403 page: a refused signed-in user is an audit event, then the shared page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        record_event(request, Action.ACCESS_DENIED, object_type="page", outcome=Outcome.DENIED)
    return render(request, "403.html", status=403)
