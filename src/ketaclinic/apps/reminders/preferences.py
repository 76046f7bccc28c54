"""A patient's reminder preferences: read them, change them (audited), and pick a channel.

Every change — by the patient's stop link, by staff on the page or through the API — goes
through ``record_opt_out``, ``withdraw_opt_out`` or ``apply_preferences``, each one
transaction with its audit event. Opt-outs are never deleted: withdrawing one stamps who,
when and how, so the record of consent stays whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.reminders.choices import (
    OptOutScope,
    PreferredChannel,
    ReminderKind,
    SkipReason,
)
from ketaclinic.apps.reminders.models import ContactPreference, OptOut, policy_for
from ketaclinic.apps.reminders.quiet_hours import QuietWindow
from ketaclinic.apps.web import clock

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "ChannelChoice",
    "Preferences",
    "apply_preferences",
    "choose_channel",
    "preferences_of",
    "record_opt_out",
    "withdraw_opt_out",
]

KIND_SCOPE: dict[str, OptOutScope] = {
    ReminderKind.APPOINTMENT: OptOutScope.APPOINTMENT,
    ReminderKind.QUESTIONNAIRE: OptOutScope.QUESTIONNAIRE,
}


@dataclass(frozen=True)
class Preferences:
    """What the sender and the pages need: the stored preference (or the defaults), the
    scopes stopped now, and the quiet hours in force (the patient's own or the site's)."""

    preference: ContactPreference
    stopped: frozenset[str]
    quiet_window: QuietWindow
    quiet_hours_are_the_patients: bool

    def allows(self, kind: str) -> bool:
        return KIND_SCOPE[kind] not in self.stopped


def preferences_of(patient: Any, opt_outs: list[OptOut] | None = None) -> Preferences:
    """The patient's preferences (``opt_outs``: the patient's in-force rows, if already read)."""
    try:
        preference = patient.contact_preference
    except ContactPreference.DoesNotExist:
        preference = ContactPreference(patient=patient)
    if opt_outs is None:
        opt_outs = list(OptOut.objects.filter(patient=patient, withdrawn_at__isnull=True))
    own = preference.quiet_window
    window = own if own is not None else policy_for(patient.site).quiet_window
    return Preferences(
        preference=preference,
        stopped=frozenset(o.scope for o in opt_outs if o.withdrawn_at is None),
        quiet_window=window,
        quiet_hours_are_the_patients=own is not None,
    )


@dataclass(frozen=True)
class ChannelChoice:
    """A channel and address to send by, or the reason there is none."""

    channel: str = ""
    address: str = ""
    skip_reason: str = ""


def choose_channel(
    patient: Any, preferences: Preferences, *, sms_needs_consent: bool = False
) -> ChannelChoice:
    """The preferred channel if it is allowed and has an address, else the other one.

    Nothing allowed at all is an opt-out; allowed channels without an address are
    "no address" (so the front desk knows to ask for one). At a site with its own SMS
    provider (``sms_needs_consent``), text messages go only to patients who opted in.
    """
    addresses: dict[str, str] = {
        PreferredChannel.EMAIL: patient.email,
        PreferredChannel.SMS: patient.phone,
    }
    preferred = preferences.preference.preferred_channel or PreferredChannel.EMAIL
    order = [preferred, *(c for c in PreferredChannel.values if c != preferred)]
    allowed = [c for c in order if c not in preferences.stopped]
    if not allowed:
        return ChannelChoice(skip_reason=SkipReason.OPTED_OUT)
    no_consent = (
        sms_needs_consent
        and preferences.preference.sms_consent_at is None
        and PreferredChannel.SMS in allowed
    )
    if no_consent:
        allowed = [c for c in allowed if c != PreferredChannel.SMS]
    for channel in allowed:
        if (addresses[channel] or "").strip():
            return ChannelChoice(channel=channel, address=addresses[channel].strip())
    if no_consent and (patient.phone or "").strip():
        return ChannelChoice(skip_reason=SkipReason.NO_SMS_CONSENT)
    return ChannelChoice(skip_reason=SkipReason.NO_ADDRESS)


def _audit(request, patient, detail: dict, actor=None) -> None:
    record_event(
        request,
        Action.UPDATE,
        object_type="contact_preference",
        object_id=patient.pk,
        patient=patient,
        detail=detail,
        actor=actor,
    )


def record_opt_out(
    patient: Any,
    scope: str,
    *,
    via: str,
    by: Any = None,
    reminder: Any = None,
    request: HttpRequest | None = None,
) -> tuple[OptOut, bool]:
    """Stop ``scope`` for the patient; idempotent: ``(the opt-out in force, created?)``.

    A second click on the same link, or two at once, finds the first opt-out and changes
    nothing (the unique constraint on the in-force row settles a race).
    """
    if scope not in OptOutScope.values:
        raise ValueError(f"unknown opt-out scope {scope!r}")
    existing = OptOut.objects.filter(patient=patient, scope=scope, withdrawn_at__isnull=True)
    found = existing.first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            opt_out = OptOut.objects.create(
                patient=patient,
                scope=scope,
                created_at=clock.now(),
                created_via=via,
                created_by=by,
                reminder=reminder,
            )
            _audit(request, patient, {"opted_out": scope, "via": via}, actor=by)
    except IntegrityError:
        return existing.get(), False
    return opt_out, True


def withdraw_opt_out(
    patient: Any, scope: str, *, via: str, by: Any, request: HttpRequest | None = None
) -> bool:
    """The patient agreed to receive ``scope`` again (staff record it); ``False`` if it was
    not stopped. The opt-out row stays, stamped with who withdrew it, when and how."""
    with transaction.atomic():
        withdrawn = OptOut.objects.filter(
            patient=patient, scope=scope, withdrawn_at__isnull=True
        ).update(withdrawn_at=clock.now(), withdrawn_via=via, withdrawn_by=by)
        if withdrawn:
            _audit(request, patient, {"opted_in": scope, "via": via}, actor=by)
    return bool(withdrawn)


def apply_preferences(
    patient: Any,
    *,
    preferred_channel: str,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    stopped: set[str],
    via: str,
    by: Any,
    request: HttpRequest | None = None,
) -> list[str]:
    """Store what a member of staff set (already validated); returns what changed, by name.

    One transaction: the preference row, each opt-out or withdrawal, and one audit event
    listing the changed fields (values of times and channels, never addresses).
    """
    current = preferences_of(patient)
    preference = current.preference
    changed: list[str] = []
    with transaction.atomic():
        for name, value in (
            ("preferred_channel", preferred_channel),
            ("quiet_start", quiet_start),
            ("quiet_end", quiet_end),
        ):
            if getattr(preference, name) != value:
                setattr(preference, name, value)
                changed.append(name)
        if changed or preference.pk is None:
            preference.updated_at = clock.now()
            preference.updated_by = by
            preference.save()
        for scope in OptOutScope.values:
            if scope in stopped and scope not in current.stopped:
                record_opt_out(patient, scope, via=via, by=by, request=request)
                changed.append(f"stop_{scope}")
            elif scope not in stopped and scope in current.stopped:
                withdraw_opt_out(patient, scope, via=via, by=by, request=request)
                changed.append(f"stop_{scope}")
        if any(not name.startswith("stop_") for name in changed):
            _audit(
                request,
                patient,
                {
                    "fields": [n for n in changed if not n.startswith("stop_")],
                    "preferred_channel": preference.preferred_channel,
                    "quiet_hours": str(preference.quiet_window or "clinic default"),
                    "via": via,
                },
                actor=by,
            )
    return changed
