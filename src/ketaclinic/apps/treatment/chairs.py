"""Who sits where, when: chair bookings at a site and the two conflicts that matter.

No two sessions may overlap in the same chair (or room), a patient is never in two
sessions at once, at any site, and has at most one dosing session a day (the site's local
date) unless a prescriber records why. Cancelled and no-show sessions free their time. Sessions are
loaded once for the whole window being planned, then checked in memory, so planning a
16-session course is two queries, not thirty-two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.treatment.choices import RELEASED_STATUSES, SessionKind
from ketaclinic.apps.treatment.models import Session

_PAD = dt.timedelta(days=1)  # longer than any session, so an overlap from the day before shows


@dataclass(frozen=True, slots=True)
class Booking:
    start: dt.datetime
    end: dt.datetime
    chair: int | None
    patient_id: int
    session_id: int | None = None
    kind: str = SessionKind.DOSING

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end


@dataclass
class ChairBook:
    """The bookings of one site (with chairs) and of one patient (anywhere) in a window."""

    site: Site
    patient_id: int
    bookings: list[Booking] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        site: Site,
        patient_id: int,
        since: dt.datetime,
        until: dt.datetime,
        exclude_session_id: int | None = None,
    ) -> ChairBook:
        rows = (
            Session.objects.filter(
                Q(site=site, chair__isnull=False) | Q(patient_id=patient_id),
                planned_start__gte=since - _PAD,
                planned_start__lt=until + _PAD,
            )
            .exclude(status__in=RELEASED_STATUSES)
            .exclude(pk=exclude_session_id)
            .values_list(
                "pk", "planned_start", "planned_minutes", "chair", "patient_id", "site_id", "kind"
            )
        )
        bookings = [
            Booking(
                start,
                start + dt.timedelta(minutes=minutes),
                chair if site_id == site.pk else None,
                pid,
                pk,
                kind,
            )
            for pk, start, minutes, chair, pid, site_id, kind in rows
        ]
        return cls(site, patient_id, bookings)

    def patient_clash(self, start: dt.datetime, end: dt.datetime) -> Booking | None:
        for booking in self.bookings:
            if booking.patient_id == self.patient_id and booking.overlaps(start, end):
                return booking
        return None

    def patient_dosing_on(self, day: dt.date, tz: ZoneInfo) -> Booking | None:
        """Another dosing session of the patient on ``day`` (the site's local date)."""
        for booking in self.bookings:
            if (
                booking.patient_id == self.patient_id
                and booking.kind == SessionKind.DOSING
                and booking.start.astimezone(tz).date() == day
            ):
                return booking
        return None

    def chair_is_free(self, chair: int, start: dt.datetime, end: dt.datetime) -> bool:
        return not any(b.chair == chair and b.overlaps(start, end) for b in self.bookings)

    def free_chair(self, preferred: int, start: dt.datetime, end: dt.datetime) -> int | None:
        """``preferred`` if free, else the next free chair counting up and wrapping round."""
        count = self.site.chairs
        for offset in range(count):
            chair = (preferred - 1 + offset) % count + 1
            if self.chair_is_free(chair, start, end):
                return chair
        return None

    def add(
        self,
        start: dt.datetime,
        end: dt.datetime,
        chair: int | None,
        kind: str = SessionKind.DOSING,
    ) -> None:
        self.bookings.append(Booking(start, end, chair, self.patient_id, kind=kind))
