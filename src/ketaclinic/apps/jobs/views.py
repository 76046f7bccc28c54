"""A job's progress page and its download: for the member of staff who asked for it, at a site
they still work at; anyone else gets a 404 (the job's id tells them nothing)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.jobs.choices import JobStatus
from ketaclinic.apps.jobs.models import Job


def _own_job(request: HttpRequest, job_id) -> Job:
    job = (
        restrict(Job.objects.defer("result"), request.user)
        .filter(pk=job_id, owner_id=request.user.pk)
        .first()
    )
    if job is None:
        raise Http404("No such job")
    return job


@login_required
def progress(request: HttpRequest, job_id) -> HttpResponse:
    job = _own_job(request, job_id)
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/progress.html"
    return render(request, template, {"job": job})


@login_required
def download(request: HttpRequest, job_id) -> HttpResponse:
    job = _own_job(request, job_id)
    if job.status != JobStatus.DONE:
        raise Http404("Not ready")
    content = Job.objects.filter(pk=job.pk).values_list("result", flat=True).first()
    record_event(
        request,
        Action.EXPORT,
        object_type=f"job_{job.kind}",
        object_id=str(job.pk),
        site=job.site_id,
        detail={"name": job.result_name, "params": job.params},
    )
    response = HttpResponse(bytes(content or b""), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response
