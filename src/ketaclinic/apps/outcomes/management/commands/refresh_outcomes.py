"""``manage.py refresh_outcomes`` (``ketaclinic refresh-outcomes``): rebuild every course's row.

Run nightly: a course whose induction is still running is judged "as of" the run, so its
row must move on with the calendar even when nothing new was recorded.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ketaclinic.apps.outcomes.refreshing import refresh_all
from ketaclinic.apps.web import clock


class Command(BaseCommand):
    help = "Recompute the stored outcome of every course as of now."

    def handle(self, *args: object, **options: object) -> None:
        as_of = clock.now()
        stored = refresh_all(as_of)
        self.stdout.write(f"{stored} started courses judged as of {as_of.isoformat()}")
