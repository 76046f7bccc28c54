"""Log a member of staff out after a period without activity (a shared workstation at 7 am),
without losing what they typed, and without sending them back to a URL that takes only POST.

- The page warns before the end (``static/accounts/idle.js``) and offers to stay signed in;
  it asks ``accounts:session`` how long is left, which neither extends nor ends the session.
- A form posted after the end is kept as a draft for its author (``accounts.drafts``).
- After logging in again they return to the page the form was on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse

LAST_ACTIVITY_KEY = "ketaclinic_last_activity"
# Writing the session on every request costs a database write per page; refreshing the
# timestamp at most every 30 s keeps the timeout accurate to within 30 s.
REFRESH_SECONDS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def seconds_left(request: HttpRequest, now: float) -> int:
    last = request.session.get(LAST_ACTIVITY_KEY, now)
    return max(0, int(settings.SESSION_IDLE_MINUTES * 60 - (now - last)))


class IdleTimeoutMiddleware:
    """Ends the session after ``SESSION_IDLE_MINUTES`` without a request.

    ``clock`` is injectable so tests move time instead of sleeping.
    """

    clock: Callable[[], float] = staticmethod(time.time)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.method in SAFE_METHODS:
                return self.get_response(request)
            return self._login_returns_to_the_page(request, self.get_response(request))
        now = self.clock()
        last = request.session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
            if self._status_check(request):  # report only: the next real request keeps the draft
                return JsonResponse({"seconds_left": 0, "signed_in": False})
            return self._end_session(request)
        if (last is None or now - last >= REFRESH_SECONDS) and not self._status_check(request):
            request.session[LAST_ACTIVITY_KEY] = now
        response = self.get_response(request)
        self._forget_submitted_draft(request, response)
        return response

    @staticmethod
    def _status_check(request: HttpRequest) -> bool:
        """The page asking how long is left. Asked only when the answer matters (the session
        ended, or its timestamp is due): most requests come within 30 s of the last, and
        reversing the URL cost more than the rest of this middleware on each of them."""
        return request.method == "GET" and request.path == reverse("accounts:session")

    def _end_session(self, request: HttpRequest) -> HttpResponse:
        from ketaclinic.apps.accounts.drafts import keep_draft, return_path
        from ketaclinic.apps.audit.choices import Action
        from ketaclinic.apps.audit.recorder import record_event

        back = return_path(request)
        record_event(request, Action.SESSION_TIMEOUT, object_type="session")
        draft = keep_draft(request, request.user, back)
        logout(request)
        text = "You were logged out after a period of inactivity."
        if draft is not None:
            text += " What you submitted was kept: log in and it will be filled in again."
        messages.info(request, text)
        response: HttpResponse = redirect_to_login(back)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(back)["Location"]
        return response

    @staticmethod
    def _login_returns_to_the_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """A POST without a session redirected to log in: come back to the form's page."""
        from ketaclinic.apps.accounts.drafts import return_path

        location = response.get("Location", "") if response.status_code in (301, 302) else ""
        login = resolve_url(settings.LOGIN_URL)
        parts = urlsplit(location)
        if not location or parts.path != login:
            return response
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "next"]
        query.append(("next", return_path(request)))
        response["Location"] = urlunsplit(parts._replace(query=urlencode(query, safe="/")))
        return response

    @staticmethod
    def _forget_submitted_draft(request: HttpRequest, response: HttpResponse) -> None:
        if request.method != "POST" or response.status_code >= 400:
            return
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return
        from ketaclinic.apps.accounts.drafts import DRAFT_FIELD, forget_draft

        draft_id = request.POST.get(DRAFT_FIELD, "")
        if draft_id.isdigit() and request.user.is_authenticated:
            forget_draft(request, int(draft_id), action="submitted")
