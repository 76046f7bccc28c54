"""``{% load crisis_line %}{% crisis_text %}``: the crisis resources, the line a tappable link.

The text is ``KETACLINIC_CRISIS_TEXT``; every occurrence of ``KETACLINIC_CRISIS_PHONE`` in it
becomes a ``tel:`` link, so a patient on a phone reaches the line with one tap.
"""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def crisis_html(text: str, phone: str) -> SafeString:
    escaped = str(escape(text))
    number = phone.strip()
    if not number:
        return mark_safe(escaped)  # noqa: S308  # nosec B308 B703 - escaped above
    dial = re.sub(r"[^0-9+]", "", number)
    link = str(format_html('<a class="tel-link" href="tel:{}">{}</a>', dial, number))
    pattern = r"(?<![0-9])" + re.escape(str(escape(number))) + r"(?![0-9])"
    return mark_safe(re.sub(pattern, lambda _match: link, escaped))  # noqa: S308  # nosec B308 B703 - escaped text, our own link


@register.simple_tag
def crisis_text() -> SafeString:
    return crisis_html(settings.KETACLINIC_CRISIS_TEXT, settings.KETACLINIC_CRISIS_PHONE)
