"""The second factor: TOTP (RFC 6238) with single-use recovery codes.

Required for prescribers, medical directors, administrators, superusers and anyone who can
open the admin site; optional for everyone else. A session's standing (``MfaState``) is worked
out once at log-in and kept in the session, so pages after that cost no query; the middleware
holds a session that still owes a code (or an enrolment) on the MFA pages.

Codes: 6 digits, 30-second steps, one step of clock drift either way, and a step once used is
refused again (replay). Recovery codes are 10 random characters from a 32-letter alphabet
(50 bits), shown once, kept as Django password hashes, each good for one log-in.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

import pyotp
import segno
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from ketaclinic.apps.accounts.choices import MFA_REQUIRED_ROLES, MfaState
from ketaclinic.apps.accounts.models import RecoveryCode, TotpDevice

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from ketaclinic.apps.accounts.models import User

__all__ = [
    "ISSUER",
    "RECOVERY_CODE_COUNT",
    "SESSION_KEY",
    "confirm_enrolment",
    "enrolment_device",
    "is_enrolled",
    "mark_verified",
    "mfa_required",
    "new_recovery_codes",
    "provisioning_qr_svg",
    "provisioning_uri",
    "reset_mfa",
    "session_state",
    "set_session_state",
    "state_at_login",
    "verify_code",
]

ISSUER = "Ketaclinic"
SESSION_KEY = "ketaclinic_mfa"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def mfa_required(user: User) -> bool:
    """Who must use a second factor: the roles that prescribe or administer (DEA's EPCS rule
    names people by role, not by what a page lets them do), and anyone with admin access."""
    return user.is_superuser or user.is_staff or bool(user.role_codes() & set(MFA_REQUIRED_ROLES))


def is_enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def state_at_login(user: User) -> MfaState:
    if is_enrolled(user):
        return MfaState.VERIFY
    return MfaState.ENROL if mfa_required(user) else MfaState.NOT_REQUIRED


def session_state(session: SessionBase) -> str | None:
    return session.get(SESSION_KEY)


def set_session_state(session: SessionBase, state: MfaState) -> None:
    session[SESSION_KEY] = state.value


def mark_verified(session: SessionBase) -> None:
    """The session has given a code (or a recovery code) for its user."""
    set_session_state(session, MfaState.VERIFIED)


# --- enrolment ------------------------------------------------------------------------------


def enrolment_device(user: User, now: dt.datetime) -> TotpDevice:
    """The user's unconfirmed device, created with a fresh secret if there is none (reloading
    the enrolment page shows the same QR code). A confirmed device is returned as it is."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, secret=pyotp.random_base32(), created_at=now)
    return device


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=ISSUER
    )


def provisioning_qr_svg(device: TotpDevice) -> str:
    """The ``otpauth://`` address as an SVG QR code, to put in the page as it is (no script,
    no external image, nothing for the Content-Security-Policy to refuse)."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(
        scale=5, dark="#111", light="#fff", title="QR code for your authenticator app"
    )


def confirm_enrolment(device: TotpDevice, code: str, now: dt.datetime) -> list[str] | None:
    """Confirm the device with a code from the app; the new recovery codes, or ``None``."""
    with transaction.atomic():
        locked = TotpDevice.objects.select_for_update().get(pk=device.pk)
        if not _accept_totp(locked, code, now):
            return None
        locked.confirmed_at = now
        locked.save(update_fields=["confirmed_at", "last_used_step"])
        return new_recovery_codes(locked.user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, never stored."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=make_password(code)) for code in codes
        )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def reset_mfa(user: User) -> None:
    """Forget the user's authenticator and recovery codes (the director's reset)."""
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


# --- checking a code ------------------------------------------------------------------------


def verify_code(user: User, code: str, now: dt.datetime) -> str | None:
    """Check a code typed at log-in: ``"totp"`` or ``"recovery_code"`` for what matched
    (a recovery code is used up), ``None`` when nothing did."""
    typed = "".join(code.split()).replace("-", "").upper()
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return None
        if typed.isdigit() and len(typed) == 6:
            if _accept_totp(device, typed, now):
                device.save(update_fields=["last_used_step"])
                return "totp"
            return None
        if len(typed) == 10:
            for recovery in RecoveryCode.objects.select_for_update().filter(
                user=user, used_at__isnull=True
            ):
                if check_password(typed, recovery.code_hash):
                    recovery.used_at = now
                    recovery.save(update_fields=["used_at"])
                    return "recovery_code"
    return None


def _accept_totp(device: TotpDevice, code: str, now: dt.datetime) -> bool:
    """A code for the step of ``now`` (or one either side) not used before; moves
    ``last_used_step`` on (the caller saves)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(device.secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step <= device.last_used_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            device.last_used_step = step
            return True
    return False


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
