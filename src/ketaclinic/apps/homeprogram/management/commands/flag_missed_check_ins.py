"""``manage.py flag_missed_check_ins``: alert the prescriber about missed home check-ins."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ketaclinic.apps.homeprogram.program import flag_missed_check_ins
from ketaclinic.apps.web import clock


class Command(BaseCommand):
    help = "Raise an alert for each planned home dose with no check-in by its deadline (hourly)."

    def handle(self, *args: object, **options: object) -> None:
        raised = flag_missed_check_ins(clock.now())
        self.stdout.write(f"missed check-ins flagged: {raised}")
