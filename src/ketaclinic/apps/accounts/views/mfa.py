"""The second-factor pages: type a code at log-in, enrol an authenticator, recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts import mfa, throttling
from ketaclinic.apps.accounts.authenticated import AuthenticatedRequest
from ketaclinic.apps.accounts.choices import MfaState
from ketaclinic.apps.accounts.forms.mfa import EnrolmentCodeForm, LoginCodeForm
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock

CODE_LOCKED = (
    f"Too many wrong codes. Wait {throttling.MFA_ACCOUNT.window_minutes} minutes and try "
    "again; if you lost your authenticator, use a recovery code or ask the medical director."
)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """The second step of log-in for an enrolled account."""
    if mfa.session_state(request.session) != MfaState.VERIFY:
        return redirect(_next_url(request))
    form = LoginCodeForm(request.POST or None)
    key = str(request.user.pk)
    if request.method == "POST" and form.is_valid():
        if throttling.is_locked(throttling.MFA_ACCOUNT, key):
            _audit_code(request, Outcome.DENIED, "locked_out")
            form.add_error("code", CODE_LOCKED)
        else:
            method = mfa.verify_code(request.user, form.cleaned_data["code"], clock.now())
            if method is not None:
                throttling.clear(throttling.MFA_ACCOUNT, key)
                request.session.cycle_key()
                mfa.mark_verified(request.session)
                _audit_code(request, Outcome.SUCCESS, method)
                if method == "recovery_code":
                    left = mfa.remaining_recovery_codes(request.user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Make new ones under "
                        "“Two-factor” if you are running low.",
                    )
                return redirect(_next_url(request))
            throttling.record_failure(throttling.MFA_ACCOUNT, key)
            _audit_code(request, Outcome.DENIED, "wrong_code")
            form.add_error("code", "That code did not match. Check the app and try again.")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/mfa_verify.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Scan a QR code into an authenticator app and confirm it with a code."""
    if mfa.is_enrolled(request.user):
        return redirect("accounts:mfa-status")
    device = mfa.enrolment_device(request.user, clock.now())
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_enrolment(device, form.cleaned_data["code"], clock.now())
        if codes is not None:
            request.session.cycle_key()
            mfa.mark_verified(request.session)
            record_event(
                request,
                Action.UPDATE,
                object_type="user",
                object_id=request.user.pk,
                detail={"change": "mfa_enrolled"},
            )
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("code", "That code did not match: check the app's clock and try again.")
    context = {
        "form": form,
        "qr_svg": mfa.provisioning_qr_svg(device),
        "secret": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
        "required": mfa.mfa_required(request.user),
        "next": _next_url(request),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/mfa_enrol.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def status(request: AuthenticatedRequest) -> HttpResponse:
    """Your second factor: whether it is on, recovery codes left, and new recovery codes
    (asked for with a current code from the app)."""
    enrolled = mfa.is_enrolled(request.user)
    form = EnrolmentCodeForm(request.POST or None) if enrolled else None
    key = str(request.user.pk)
    if form is not None and request.method == "POST" and form.is_valid():
        if throttling.is_locked(throttling.MFA_ACCOUNT, key):
            form.add_error("code", CODE_LOCKED)
        elif mfa.verify_code(request.user, form.cleaned_data["code"], clock.now()) == "totp":
            codes = mfa.new_recovery_codes(request.user)
            record_event(
                request,
                Action.UPDATE,
                object_type="user",
                object_id=request.user.pk,
                detail={"change": "mfa_recovery_codes_replaced"},
            )
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": "/", "first_time": False},
            )
        else:
            throttling.record_failure(throttling.MFA_ACCOUNT, key)
            form.add_error("code", "That code did not match. Check the app and try again.")
    context = {
        "enrolled": enrolled,
        "required": mfa.mfa_required(request.user),
        "remaining": mfa.remaining_recovery_codes(request.user) if enrolled else 0,
        "form": form,
    }
    status_code = 422 if request.method == "POST" else 200
    return render(request, "accounts/mfa_status.html", context, status=status_code)


def _audit_code(request: HttpRequest, outcome: str, method: str) -> None:
    record_event(
        request,
        Action.VERIFY,
        object_type="mfa",
        object_id=request.user.pk,
        outcome=outcome,
        detail={"method": method},
    )
