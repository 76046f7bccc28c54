"""``{% load site_time %}``: show a moment on the clock of the site it happened at.

``{{ alert.raised_at|at_site:alert.site|date:"D j M H:i T" }}`` — the ``T`` prints the zone's
abbreviation (EST, MDT), so a reader never has to guess which clock a time is on. The
argument is a site (anything with ``timezone``) or a zone name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.templatetags.tz import do_timezone
from django.utils import timezone

register = template.Library()


def zone_of(site_or_zone: Any) -> ZoneInfo:
    name = getattr(site_or_zone, "timezone", site_or_zone) or "UTC"
    return ZoneInfo(str(name))


@register.filter
def at_site(value: Any, site_or_zone: Any) -> Any:
    """An aware datetime converted to the site's zone (and marked so that ``|date`` does not
    convert it back to the server's zone); anything else is returned unchanged."""
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return value
    return do_timezone(value, zone_of(site_or_zone))
