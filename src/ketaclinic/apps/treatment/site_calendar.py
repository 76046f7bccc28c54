"""A site's dosing calendar for the schedule generator: open weekdays less its holidays."""

from __future__ import annotations

import datetime as dt

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.treatment.models import Holiday
from ketaclinic.clinical.schedule import ClinicCalendar


def site_calendar(site: Site, since: dt.date | None = None) -> ClinicCalendar:
    """``site``'s calendar (holidays from ``since`` on, all of them when None).

    Open days come from ``Site.open_weekdays``; an empty list is refused by the core with an
    ``InvalidValue`` on ``open_days``.
    """
    holidays = Holiday.objects.filter(site=site)
    if since is not None:
        holidays = holidays.filter(date__gte=since)
    return ClinicCalendar(
        frozenset(site.open_weekdays), frozenset(holidays.values_list("date", flat=True))
    )
