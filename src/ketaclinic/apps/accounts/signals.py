"""Logins, logouts and failed logins go to the audit trail."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ketaclinic.apps.accounts.mfa import set_session_state, state_at_login
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    record_event(request, Action.LOGIN, object_type="session", actor=user)
    # Every log-in (staff page, admin site) starts owing the second factor afresh.
    if request is not None and hasattr(request, "session"):
        set_session_state(request.session, state_at_login(user))


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(request, Action.LOGOUT, object_type="session", actor=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted username is kept (investigations need it); the password never is.
    record_event(
        request,
        Action.LOGIN,
        object_type="session",
        outcome=Outcome.DENIED,
        detail={"username": str(credentials.get("username", ""))[:150]},
    )
