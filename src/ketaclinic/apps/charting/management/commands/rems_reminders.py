"""``manage.py rems_reminders``: raise REMS_DUE alerts for esketamine records not submitted.

Run it daily (cron or a scheduler); it raises each reminder once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ketaclinic.apps.charting.rems import raise_rems_reminders
from ketaclinic.apps.web import clock


class Command(BaseCommand):
    help = "Raise a REMS_DUE alert for each esketamine session whose REMS form is due."

    def handle(self, *args, **options) -> None:
        raised = raise_rems_reminders(clock.now())
        self.stdout.write(f"{raised} REMS reminder(s) raised")
