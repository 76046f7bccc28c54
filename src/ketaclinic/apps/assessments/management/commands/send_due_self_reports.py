"""``manage.py send_due_self_reports``: issue and send the self-report links that are due."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ketaclinic.apps.assessments.schedules import send_due_self_reports
from ketaclinic.apps.web import clock


class Command(BaseCommand):
    help = "Issue and send the questionnaire links that schedules make due now (run every 15 min)."

    def handle(self, *args: object, **options: object) -> None:
        summary = send_due_self_reports(clock.now())
        self.stdout.write(f"issued {summary.issued}, sent {summary.sent}, failed {summary.failed}")
