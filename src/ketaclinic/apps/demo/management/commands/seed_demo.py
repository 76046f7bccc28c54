from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ketaclinic.apps.demo.organisation import DEMO_PASSWORD
from ketaclinic.apps.demo.progress import ProgressBar
from ketaclinic.apps.demo.seeding import seed_demo_clinic


class Command(BaseCommand):
    help = "Create a synthetic demo clinic (two sites, staff for every role, N patients)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--patients", type=int, default=200)
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument("--force", action="store_true")
        parser.add_argument(
            "--timings", action="store_true", help="print seconds per demo step to stderr"
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="draw a progress bar on stderr (drawn anyway when stderr is a terminal)",
        )

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "the demo clinic is refused with KETACLINIC_ENV=production: "
                "its staff accounts share a published password"
            )
        if not 0 <= options["patients"] <= 1_000_000:
            raise CommandError("--patients must be between 0 and 1000000")
        bar = None
        if options["progress"] or self.stderr.isatty():
            bar = ProgressBar(partial(self.stderr.write, ending=""), self.stderr.flush)
        try:
            summary = seed_demo_clinic(
                patient_count=options["patients"],
                seed=options["seed"],
                force=options["force"],
                progress=bar,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            if bar is not None:
                bar.close()
        if options["timings"] and summary.timings:
            wall = sum(step[1] for step in summary.timings)
            cpu = sum(step[2] for step in summary.timings)
            peak = max(step[3] for step in summary.timings)
            self.stderr.write(f"{'demo step':<16} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
            for step, seconds, processor, mib in (*summary.timings, ("total", wall, cpu, peak)):
                self.stderr.write(f"{step:<16} {seconds:>8.2f} {processor:>8.2f} {mib:>9.0f}")
        if summary.created:
            self.stdout.write(f"Demo clinic created with {summary.patients} synthetic patients.")
        else:
            self.stdout.write("Demo clinic already present; nothing added.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, sites in summary.logins:
            self.stdout.write(f"  {username:<16} {role:<18} {sites}")
        self.stdout.write(
            "prescriber, director and admin set up two-factor log-in (an authenticator app) "
            "at their first log-in."
        )
