"""The job queue: a lease keeps two workers off one job, failures retry, results expire."""

from __future__ import annotations

import datetime as dt

import pytest

from ketaclinic.apps.jobs import registry
from ketaclinic.apps.jobs.choices import JobKind, JobStatus
from ketaclinic.apps.jobs.models import MAX_ATTEMPTS, Job
from ketaclinic.apps.jobs.registry import JobResult
from ketaclinic.apps.jobs.work import LEASE, claim_next, clean_expired, run_job, work
from ketaclinic.cli import main

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def runner(monkeypatch):
    calls = []

    def make(job, progress):
        calls.append(job.pk)
        progress(50)
        return JobResult(b"made", "made.txt", "text/plain")

    monkeypatch.setitem(registry._RUNNERS, JobKind.LEDGER_PDF, make)
    return calls


def _job(clinic, **fields) -> Job:
    return Job.objects.create(
        kind=JobKind.LEDGER_PDF,
        owner=clinic.director,
        site=clinic.site_a,
        created_at=fields.pop("created_at", NOW),
        **fields,
    )


def test_two_workers_never_take_the_same_job(clinic, fixed_clock):
    job = _job(clinic)
    first = claim_next(worker="one")
    second = claim_next(worker="two")
    assert first.pk == job.pk
    assert first.leased_by == "one"
    assert first.attempts == 1
    assert second is None


def test_a_job_whose_worker_died_is_taken_again_when_its_lease_runs_out(clinic, fixed_clock):
    _job(clinic, status=JobStatus.RUNNING, leased_by="dead", lease_expires_at=NOW - LEASE)
    _job(clinic, status=JobStatus.RUNNING, leased_by="alive", lease_expires_at=NOW + LEASE)
    taken = claim_next(worker="new")
    assert taken.leased_by == "new"
    assert claim_next(worker="other") is None


def test_the_oldest_job_goes_first(clinic, fixed_clock, runner):
    later = _job(clinic, created_at=NOW)
    earlier = _job(clinic, created_at=NOW - dt.timedelta(minutes=5))
    assert work(max_jobs=2).done == 2
    assert runner == [earlier.pk, later.pk]


def test_a_made_job_keeps_its_result_for_a_day(clinic, fixed_clock, runner):
    job = _job(clinic)
    run_job(claim_next())
    job.refresh_from_db()
    assert (job.status, job.progress_percent, bytes(job.result)) == (JobStatus.DONE, 100, b"made")
    assert job.expires_at == NOW + dt.timedelta(hours=24)


def test_a_crashing_job_is_retried_then_failed(clinic, fixed_clock, monkeypatch):
    def crash(job, progress):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry._RUNNERS, JobKind.LEDGER_PDF, crash)
    job = _job(clinic)
    result = work()
    job.refresh_from_db()
    assert result.failed == MAX_ATTEMPTS
    assert job.attempts == MAX_ATTEMPTS
    assert job.status == JobStatus.FAILED
    assert job.message == "Attempt 3 failed (RuntimeError); no more attempts."


def test_clean_deletes_expired_jobs_only(clinic, fixed_clock, capsys):
    _job(clinic, status=JobStatus.DONE, expires_at=NOW - dt.timedelta(seconds=1))
    kept = _job(clinic, status=JobStatus.DONE, expires_at=NOW + dt.timedelta(hours=1))
    waiting = _job(clinic)
    assert main(["jobs", "clean"]) == 0
    assert "Deleted 1 expired job(s)." in capsys.readouterr().out
    assert set(Job.objects.values_list("pk", flat=True)) == {kept.pk, waiting.pk}
    assert clean_expired() == 0


def test_work_refuses_a_bad_count_in_one_line(capsys):
    assert main(["jobs", "work", "--max-jobs", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["ketaclinic: error: argument --max-jobs: 0 must be from 1 to 10000"]
