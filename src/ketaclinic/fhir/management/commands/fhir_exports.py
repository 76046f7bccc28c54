"""``fhir_exports run`` runs queued (and resumes abandoned) Bulk Data jobs; ``cleanup``
deletes files past their retention time. ``run --loop`` is a worker."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from ketaclinic.fhir import bulk


class Command(BaseCommand):
    help = "Run queued FHIR Bulk Data export jobs, or delete expired export files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["run", "cleanup"])
        parser.add_argument("--loop", action="store_true", help="keep running (a worker)")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")

    def handle(self, *args, **options) -> None:
        while True:
            if options["action"] == "cleanup":
                self.stdout.write(f"{bulk.cleanup_expired()} expired export(s) deleted.")
            else:
                for job_id in bulk.runnable_jobs():
                    job = bulk.run_job(job_id)
                    if job is not None:
                        self.stdout.write(f"export {job.pk}: {job.get_status_display()}")
                bulk.cleanup_expired()
            if not options["loop"]:
                return
            time.sleep(options["interval"])
