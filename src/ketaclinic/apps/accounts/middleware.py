"""Log a member of staff out after a period without activity (a shared workstation at 7 am)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

LAST_ACTIVITY_KEY = "ketaclinic_last_activity"
# Writing the session on every request costs a database write per page; refreshing the
# timestamp at most every 30 s keeps the timeout accurate to within 30 s.
REFRESH_SECONDS = 30


class IdleTimeoutMiddleware:
    """Ends the session after ``SESSION_IDLE_MINUTES`` without a request.

    ``clock`` is injectable so tests move time instead of sleeping.
    """

    clock: Callable[[], float] = staticmethod(time.time)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = self.clock()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                from ketaclinic.apps.audit.choices import Action
                from ketaclinic.apps.audit.recorder import record_event

                record_event(request, Action.SESSION_TIMEOUT, object_type="session")
                logout(request)
                messages.info(request, "You were logged out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= REFRESH_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
