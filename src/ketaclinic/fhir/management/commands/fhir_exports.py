"""``fhir_exports run`` runs queued (and resumes abandoned) Bulk Data jobs; ``cleanup``
deletes files past their retention time. ``run --loop`` is a worker. ``export --account
director`` runs a system export now, in this process, as that account (audited as a
kick-off would be), and prints where its NDJSON files are: for operators and for
``fhir_validate``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock
from ketaclinic.fhir import bulk
from ketaclinic.fhir.bulk_views import EXPORT_PERMISSION
from ketaclinic.fhir.choices import ExportLevel, ExportStatus
from ketaclinic.fhir.deidentify import NOT_EXPORTED
from ketaclinic.fhir.models import ExportJob


class Command(BaseCommand):
    help = "Run queued FHIR Bulk Data export jobs, delete expired files, or export now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["run", "cleanup", "export"])
        parser.add_argument("--loop", action="store_true", help="keep running (a worker)")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")
        parser.add_argument("--account", help="export: the staff account it runs as")
        parser.add_argument("--type", default="", help="export: e.g. Patient,Observation")
        parser.add_argument("--deidentified", action="store_true", help="export: for research")

    def handle(self, *args, **options) -> None:
        if options["action"] == "export":
            self._export(options)
            return
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

    def _export(self, options) -> None:
        account = User.objects.filter(username=options["account"] or "").first()
        if account is None:
            raise CommandError("--account: no such staff account")
        if not account.has_perm(EXPORT_PERMISSION):
            raise CommandError(f"--account: {account.username} may not export the dataset")
        allowed = bulk.export_types(ExportLevel.SYSTEM)
        types = [t for t in options["type"].split(",") if t] or allowed
        wrong = [t for t in types if t not in allowed]
        if wrong:
            raise CommandError(f"--type: {wrong[0]} is not a type served here")
        if options["deidentified"]:
            types = [t for t in types if t not in NOT_EXPORTED]
        now = clock.now()
        with transaction.atomic():
            job = ExportJob.objects.create(
                requested_by=account,
                request_url="manage.py fhir_exports export",
                level=ExportLevel.SYSTEM,
                types=types,
                deidentified=options["deidentified"],
                transaction_time=now,
                created_at=now,
            )
            record_event(
                None,
                Action.EXPORT,
                actor=account,
                object_type="fhir.export",
                object_id=job.pk,
                detail={"level": "system", "types": types, "deidentified": job.deidentified},
            )
        ran = bulk.run_job(job.pk)
        if ran is None or ran.status != ExportStatus.COMPLETED:
            raise CommandError(f"export {job.pk} failed: {getattr(ran, 'error', 'not run')}")
        job = ran
        self.stdout.write(str(bulk.job_directory(job)))
        for entry in job.output:
            self.stdout.write(f"{entry['type']}\t{entry['count']}")
