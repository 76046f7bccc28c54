"""Hold a logged-in session that still owes its second factor on the MFA pages.

Until the session has typed a code (or, for a role that requires one, enrolled), every page
but the MFA pages, log-out and static files redirects there; the API answers 403 with a JSON
body. The standing is read from the session, so a verified session costs no query here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from ketaclinic.apps.accounts import mfa
from ketaclinic.apps.accounts.choices import MfaState
from ketaclinic.apps.api.edge import error_response

OPEN_URL_NAMES = ("accounts:mfa-verify", "accounts:mfa-enrol", "accounts:logout")


class MfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        state = mfa.session_state(request.session)
        if state is None:  # a session from before MFA existed: work it out once
            state = mfa.state_at_login(user)
            mfa.set_session_state(request.session, state)
        if state not in (MfaState.ENROL, MfaState.VERIFY) or self._open(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return error_response(
                403, "Complete two-factor authentication in the browser first.", code="mfa_required"
            )
        name = "accounts:mfa-enrol" if state == MfaState.ENROL else "accounts:mfa-verify"
        return redirect_to_login(request.get_full_path(), reverse(name))

    @staticmethod
    def _open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith(static) or path in {reverse(name) for name in OPEN_URL_NAMES}
