"""The two log-in forms (staff log-in and the admin site's), throttled the same way.

The refusal when locked names neither the account nor whether it exists: the counter is keyed
on the user name typed, so an unknown name locks exactly like a real one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from ketaclinic.apps.accounts import throttling
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event

__all__ = ["LOCKED_MESSAGE", "ThrottledAdminAuthenticationForm", "ThrottledAuthenticationForm"]

LOCKED_MESSAGE = (
    "Too many failed log-ins for this user name or from this computer. Wait "
    f"{throttling.LOGIN_ACCOUNT.window_minutes} minutes and try again, or ask the medical "
    "director to check your account."
)


class ThrottledLogin:
    """Refuses before checking the password once a user name or an address is locked."""

    request: Any
    cleaned_data: dict

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        address = getattr(self.request, "client_address", None)
        if throttling.is_locked(throttling.LOGIN_ACCOUNT, username) or throttling.is_locked(
            throttling.LOGIN_ADDRESS, address
        ):
            record_event(
                self.request,
                Action.LOGIN,
                object_type="session",
                outcome=Outcome.DENIED,
                detail={"username": username[:150], "reason": "locked_out"},
            )
            raise ValidationError(LOCKED_MESSAGE, code="locked_out")
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except ValidationError:
            locked_now = throttling.record_failure(throttling.LOGIN_ACCOUNT, username)
            locked_now = throttling.record_failure(throttling.LOGIN_ADDRESS, address) or locked_now
            if locked_now:
                record_event(
                    self.request,
                    Action.LOGIN,
                    object_type="session",
                    outcome=Outcome.DENIED,
                    detail={"username": username[:150], "reason": "lockout_started"},
                )
            raise
        throttling.clear(throttling.LOGIN_ACCOUNT, username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass
