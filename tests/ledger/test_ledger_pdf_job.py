"""The ledger PDF is made off the request, by a background job, whatever its size (issue 14:
one 1,417-row PDF held a server process for 130 s)."""

from __future__ import annotations

import re

from django.urls import reverse

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.jobs.choices import JobKind, JobStatus
from ketaclinic.apps.jobs.models import Job
from ketaclinic.cli import main


def _download_link(page: str) -> str:
    return re.search(r'href="(/jobs/[0-9a-f-]+/download/)"', page).group(1)


def test_asking_for_the_pdf_queues_a_job_and_shows_its_progress(client, clinic, receive, settings):
    settings.KETACLINIC_JOBS_INLINE = False  # production: a worker makes it
    receive("k10", n=3)
    client.force_login(clinic.director)
    response = client.get(reverse("ledger:export-pdf"), {"date_from": "2026-03-01"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.owner, job.site) == (
        JobKind.LEDGER_PDF,
        JobStatus.QUEUED,
        clinic.director,
        clinic.site_a,
    )
    assert job.params == {"query": {"date_from": ["2026-03-01"]}}
    page = client.get(response.url).content.decode()
    assert "Waiting for a worker" in page
    assert 'hx-trigger="every 2s"' in page
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # not made yet


def test_the_worker_makes_the_pdf_and_its_download_is_audited(
    client, clinic, receive, settings, capsys
):
    settings.KETACLINIC_JOBS_INLINE = False
    receive("k10", n=3)
    client.force_login(clinic.director)
    progress_url = client.get(reverse("ledger:export-pdf")).url
    assert main(["jobs", "work"]) == 0
    assert "1 job(s) done" in capsys.readouterr().out
    page = client.get(progress_url).content.decode()
    assert "Ready" in page
    assert "hx-trigger" not in page  # stops polling
    response = client.get(_download_link(page))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(object_type="job_ledger_pdf").get()
    assert (event.action, event.actor, event.object_id) == (
        "export",
        clinic.director,
        str(Job.objects.get().pk),
    )


def test_in_development_and_the_demo_the_pdf_is_made_on_the_request(client, clinic, receive):
    receive("k10", n=2)
    client.force_login(clinic.director)
    page = client.get(reverse("ledger:export-pdf"), follow=True).content.decode()
    assert client.get(_download_link(page)).content.startswith(b"%PDF")


def test_only_the_person_who_asked_sees_the_job(client, clinic, receive):
    receive("k10", n=1)
    client.force_login(clinic.director)
    progress_url = client.get(reverse("ledger:export-pdf")).url
    download_url = _download_link(client.get(progress_url).content.decode())
    for other in (clinic.nurse, clinic.prescriber, clinic.nurse_b, clinic.admin):
        client.force_login(other)
        assert client.get(progress_url).status_code == 404
        assert client.get(download_url).status_code == 404


def test_a_job_owner_who_left_the_site_no_longer_sees_it(client, clinic, receive):
    receive("k10", n=1)
    client.force_login(clinic.director)
    progress_url = client.get(reverse("ledger:export-pdf")).url
    clinic.director.sites.remove(clinic.site_a)
    assert client.get(progress_url).status_code == 404


def test_a_job_whose_owner_lost_the_right_to_export_fails_with_the_reason(
    client, clinic, receive, settings
):
    settings.KETACLINIC_JOBS_INLINE = False
    receive("k10", n=1)
    client.force_login(clinic.director)
    progress_url = client.get(reverse("ledger:export-pdf")).url
    clinic.director.groups.clear()
    clinic.director.user_permissions.clear()
    main(["jobs", "work"])
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message == "Your role no longer allows exporting the ledger."
    assert client.get(progress_url).status_code == 200  # their own job: they read why
