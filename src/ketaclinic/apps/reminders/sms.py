"""A site's own SMS provider: sending through it, and what patients text back.

Sending: ``sms_sender_for(site)`` is the site's ``SmsApiSender`` (or ``None``: the process's
sender, as before). A site with a channel texts only patients who opted in (TCPA-style prior
consent; ``ContactPreference.sms_consent_at``), recorded by staff or by texting START.

Receiving: the provider POSTs each inbound text to ``/hooks/sms/<site>/``. The call must be
signed: ``X-Ketaclinic-Timestamp`` (Unix seconds) and ``X-Ketaclinic-Signature`` =
``sha256=`` HMAC-SHA256(site secret, timestamp + "." + raw body), within ``MAX_SKEW`` of the
clock; anything else is refused before the body is read as data. Keywords follow the
carriers' short-code rules (CTIA Short Code Monitoring Handbook): STOP and its synonyms stop
every text to that number and are confirmed once; START (UNSTOP, YES) opts in again; HELP
(INFO) answers with the clinic's name and phone. Other text is stored nowhere (audit only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.messaging.choices import Channel
from ketaclinic.apps.messaging.senders import SendError, SmsApiSender
from ketaclinic.apps.messaging.sending import send_message
from ketaclinic.apps.reminders.choices import ChangedVia, OptOutScope
from ketaclinic.apps.reminders.models import ContactPreference, SmsChannel
from ketaclinic.apps.reminders.preferences import record_opt_out, withdraw_opt_out

__all__ = [
    "MAX_SKEW",
    "handle_inbound",
    "keyword_of",
    "record_sms_consent",
    "sign",
    "signature_valid",
    "sms_channel_of",
    "sms_sender_for",
]

MAX_SKEW = dt.timedelta(minutes=5)
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP", "YES", "OPTIN"}
HELP_WORDS = {"HELP", "INFO"}


def sms_channel_of(site: Any) -> SmsChannel | None:
    try:
        return site.sms_channel
    except SmsChannel.DoesNotExist:
        return None


def sms_sender_for(site: Any) -> SmsApiSender | None:
    channel = sms_channel_of(site)
    if channel is None:
        return None
    return SmsApiSender(
        channel.api_url,
        account_id=channel.account_id,
        token=channel.secret(),
        from_number=channel.from_number,
    )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_valid(
    secret: str, timestamp: str, signature: str, body: bytes, now: dt.datetime
) -> bool:
    if not secret or not timestamp.isdigit():
        return False
    sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    if abs(now - sent) > MAX_SKEW:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def keyword_of(text: str) -> str:
    word = (
        re.sub(r"[^A-Z]", "", (text or "").strip().split(maxsplit=1)[0].upper())
        if text.strip()
        else ""
    )
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return "other"


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")[-10:]


def _patients_with(site: Any, phone: str) -> list:
    from ketaclinic.apps.patients.models import Patient

    wanted = _digits(phone)
    if len(wanted) < 6:
        return []
    return [
        p
        for p in Patient.objects.filter(site=site).exclude(phone="").only("id", "phone", "site")
        if _digits(p.phone) == wanted
    ]


def record_sms_consent(patient: Any, *, via: str, by: Any, now: dt.datetime, request=None) -> None:
    """The patient agreed to text messages (staff recorded it, or the patient texted START)."""
    preference, _ = ContactPreference.objects.get_or_create(
        patient=patient, defaults={"updated_at": now, "updated_by": by}
    )
    preference.sms_consent_at = now
    preference.sms_consent_via = via
    preference.updated_at = now
    preference.save(update_fields=["sms_consent_at", "sms_consent_via", "updated_at"])
    record_event(
        request,
        Action.UPDATE,
        object_type="contact_preference",
        object_id=patient.pk,
        patient=patient,
        detail={"sms_consent": True, "via": via},
        actor=by,
    )


def _reply(site: Any, phone: str, text: str) -> str:
    sender = sms_sender_for(site)
    try:
        send_message(phone, "", text, channel=Channel.SMS, sender=sender)
    except SendError as error:
        return str(error)
    return ""


def handle_inbound(site: Any, phone: str, text: str, *, now: dt.datetime, request=None) -> dict:
    """Act on one inbound text; returns what was done (for the provider's log and tests)."""
    keyword = keyword_of(text)
    patients = _patients_with(site, phone)
    with transaction.atomic():
        for patient in patients:
            if keyword == "stop":
                record_opt_out(patient, OptOutScope.SMS, via=ChangedVia.SMS, request=request)
                ContactPreference.objects.filter(patient=patient).update(sms_consent_at=None)
            elif keyword == "start":
                withdraw_opt_out(
                    patient, OptOutScope.SMS, via=ChangedVia.SMS, by=None, request=request
                )
                record_sms_consent(patient, via=ChangedVia.SMS, by=None, now=now, request=request)
            else:
                record_event(
                    request,
                    Action.VIEW if keyword == "help" else Action.CREATE,
                    object_type="sms_inbound",
                    object_id=patient.pk,
                    patient=patient,
                    detail={"keyword": keyword},
                )
    name = site.name
    replies = {
        "stop": f"{name}: you will get no more text messages from us. Reply START to resubscribe.",
        "start": f"{name}: text reminders are on again. Reply STOP to stop, HELP for help.",
        "help": f"{name} reminders. Call {site.phone or 'the clinic'} for help. "
        "Reply STOP to stop. Msg&data rates may apply.",
    }
    problem = ""
    if keyword in replies:
        problem = _reply(site, phone, replies[keyword])
    return {"keyword": keyword, "patients": len(patients), "reply_problem": problem}
