"""The demo clinic, area by area, from one seed: the same seed gives the same clinic."""

from __future__ import annotations

import random
import resource
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction

from ketaclinic.apps.demo import assessments as demo_assessments
from ketaclinic.apps.demo import billing as demo_billing
from ketaclinic.apps.demo import charting as demo_charting
from ketaclinic.apps.demo import enquiries as demo_enquiries
from ketaclinic.apps.demo import homeprogram as demo_homeprogram
from ketaclinic.apps.demo import iop as demo_iop
from ketaclinic.apps.demo import kap as demo_kap
from ketaclinic.apps.demo import ledger as demo_ledger
from ketaclinic.apps.demo import organisation, patients
from ketaclinic.apps.demo import outcomes as demo_outcomes
from ketaclinic.apps.demo import reminders as demo_reminders
from ketaclinic.apps.demo import rems as demo_rems
from ketaclinic.apps.demo import treatment as demo_treatment
from ketaclinic.apps.demo.progress import ProgressBar
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.bulk_write import foreign_keys_checked_at_end

KEYS_AFTER_LOAD_FROM = 1000
"""From this many patients the foreign keys are checked once after the load
(``bulk_write.foreign_keys_checked_at_end``: 25 s less commit at 10,000 on PostgreSQL);
below it, dropping and adding back 200-odd keys would cost more than it saves."""


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    patients: int
    logins: tuple[tuple[str, str, str], ...]  # username, role, sites
    # step, wall s, CPU s, peak RSS MiB so far (``--timings``)
    timings: tuple[tuple[str, float, float, float], ...] = ()


@dataclass
class StepTimes:
    """Seconds per demo step, so a slow seed says which area to look at: wall clock, and
    this process's CPU (SQLite's work included), which a busy machine does not inflate;
    and the process's peak resident memory at each step's end, so the step that holds too
    much at once shows as the one where the peak jumps. A progress bar, if given, moves on
    at each step's end."""

    steps: list[tuple[str, float, float, float]] = field(default_factory=list)
    mark: tuple[float, float] = field(
        default_factory=lambda: (time.perf_counter(), time.process_time())
    )
    progress: ProgressBar | None = None

    def lap(self, step: str) -> None:
        now = (time.perf_counter(), time.process_time())
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        self.steps.append((step, now[0] - self.mark[0], now[1] - self.mark[1], peak_mib))
        self.mark = now
        if self.progress is not None:
            self.progress.done(step)


def _planner_statistics() -> None:
    """PostgreSQL's statistics of the tables written so far (``ANALYZE`` sees the rows of
    its own transaction). Without them the later steps' queries over the sessions are
    planned as if the tables were nearly empty: at 100,000 patients the assessments step's
    read of the dosed sessions came back at about 100 rows a second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_logins() -> tuple[tuple[str, str, str], ...]:
    return tuple((m.username, m.role.label, ", ".join(m.site_slugs)) for m in organisation.STAFF)


def seed_demo_clinic(
    *, patient_count: int, seed: int, force: bool = False, progress: ProgressBar | None = None
) -> DemoSummary:
    """Create the demo clinic in one transaction (nothing half-written), unless seeded;
    ``progress`` (the command's bar on stderr) is moved on as the steps go."""
    if organisation.is_seeded() and not force:
        return DemoSummary(False, 0, demo_logins())
    if force and organisation.is_seeded():
        raise ValueError("a demo clinic exists already; --force cannot add a second one")
    rng = random.Random(seed)  # seeded generator for synthetic demo data, not a secret  # nosec B311
    times = StepTimes(progress=progress)
    big = patient_count >= KEYS_AFTER_LOAD_FROM
    with transaction.atomic(), foreign_keys_checked_at_end() if big else nullcontext():
        _org, sites, users = organisation.create_organisation()
        times.lap("organisation")
        created = patients.create_patients(
            patient_count,
            list(sites.values()),
            users["nurse"],
            rng,
            clock.today(),
            progress=None
            if progress is None
            else (lambda done: progress.within("patients", done / max(patient_count, 1))),
        )
        times.lap("patients")
        demo_treatment.create_treatment(list(sites.values()), users, rng, clock.now())
        times.lap("treatment")
        demo_ledger.create_ledger(list(sites.values()), users, rng, clock.now())
        times.lap("ledger")
        to_chart = demo_charting.discharged_dosing_sessions()
        charting_progress = None
        if progress is not None:
            sessions = max(to_chart.count(), 1)
            charting_progress = lambda done: progress.within("charting", done / sessions)  # noqa: E731
        demo_charting.create_session_charts(to_chart, users, rng, clock.now(), charting_progress)
        demo_rems.create_rems(list(sites.values()), users, rng, clock.now())
        if big:
            _planner_statistics()
        times.lap("charting")
        demo_enquiries.create_enquiries(list(sites.values()), users, rng, clock.now())
        times.lap("enquiries")
        demo_assessments.create_assessments(users, rng, clock.now())
        times.lap("assessments")
        demo_outcomes.create_outcomes(users, rng, clock.now())
        times.lap("outcomes")
        demo_homeprogram.create_home_program(users, rng, clock.now())
        times.lap("home program")
        demo_kap.create_kap_programs(users, rng, clock.now())
        times.lap("kap")
        demo_iop.create_iop(users, rng, clock.now())
        demo_reminders.create_reminders(users, rng, clock.now())
        times.lap("other areas")
        demo_billing.create_billing(list(sites.values()), users, rng, clock.now())
        times.lap("billing")
    times.lap("commit")  # the foreign keys checked, then the commit
    return DemoSummary(True, created, demo_logins(), tuple(times.steps))
