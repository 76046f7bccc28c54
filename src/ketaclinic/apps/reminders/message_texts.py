"""The words of each reminder, by kind and channel.

Privacy: a reminder may be read by someone else (a shared inbox, a phone on a table), so it
says only which clinic, the date and time, and the clinic's address and phone. No patient
name, no treatment, no medicine, no questionnaire title, no session kind. Every reminder
carries its own stop link (``/stop/<token>/``), which stops that kind of reminder.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from ketaclinic.apps.messaging.choices import Channel

__all__ = ["appointment_text", "questionnaire_text", "stop_url"]


def stop_url(token: str) -> str:
    return settings.KETACLINIC_PUBLIC_URL.rstrip("/") + reverse(
        "reminder_stop:confirm", args=[token]
    )


def _local(moment: dt.datetime, site) -> dt.datetime:
    return moment.astimezone(ZoneInfo(site.timezone))


def _when(moment: dt.datetime, site) -> str:
    local = _local(moment, site)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({local:%Z})"


def _call_line(site) -> str:
    return f" please call {site.name}" + (f" on {site.phone}" if site.phone else "")


def appointment_text(site, starts_at: dt.datetime, channel: str, url: str) -> tuple[str, str]:
    """(subject, body) reminding of an appointment at ``starts_at`` at ``site``."""
    when = _when(starts_at, site)
    if channel == Channel.SMS:
        short = _local(starts_at, site)
        return "", (
            f"{site.name}: reminder of your appointment on {short:%a} {short.day} {short:%b} "
            f"at {short:%H:%M}. To change it, call{' ' + site.phone if site.phone else ' us'}. "
            f"Stop these reminders: {url}"
        )
    address = f"\n\n{site.name}\n{site.address.strip()}" if site.address.strip() else ""
    body = (
        f"Hello,\n\nThis is a reminder of your appointment at {site.name} on {when}."
        f"{address}\n\nIf you need to change or cancel it,{_call_line(site)}.\n\n"
        f"To stop appointment reminders, open this link: {url}\n"
    )
    return f"Your appointment at {site.name}", body


def questionnaire_text(
    site, sent_at: dt.datetime, expires_at: dt.datetime, channel: str, url: str
) -> tuple[str, str]:
    """(subject, body) reminding of an unanswered questionnaire link (the link itself is not
    repeated: only its hash is stored, and the first message holds it)."""
    sent = _local(sent_at, site)
    until = _local(expires_at, site)
    if channel == Channel.SMS:
        return "", (
            f"{site.name}: a questionnaire we sent on {sent:%a} {sent.day} {sent:%b} is waiting "
            f"for you; its link works until {until:%a} {until.day} {until:%b} {until:%H:%M}. "
            f"Stop these reminders: {url}"
        )
    body = (
        f"Hello,\n\n{site.name} sent you a short questionnaire on {sent.day} {sent:%B}. "
        f"It is still waiting for you: please open the link in that message. It works until "
        f"{_when(expires_at, site)}.\n\nIf you cannot find the message,{_call_line(site)}.\n\n"
        f"To stop questionnaire reminders, open this link: {url}\n"
    )
    return f"A questionnaire from {site.name} is waiting", body
