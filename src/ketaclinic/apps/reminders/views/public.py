"""The stop link in every reminder, ``/stop/<token>/``: no login, phone-first, no JavaScript.

Opening the link shows one question and one button (a mail scanner that follows links must
not unsubscribe anyone, so only the POST stops). Stopping is idempotent: a second press, or
an old link after the patient already stopped, says it is stopped. The page names only the
clinic and the kind of reminder. Tokens are stored as SHA-256 only and never logged.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.assessments.links import hash_token
from ketaclinic.apps.reminders.choices import ChangedVia, ReminderKind
from ketaclinic.apps.reminders.models import OptOut, Reminder
from ketaclinic.apps.reminders.preferences import KIND_SCOPE, record_opt_out
from ketaclinic.apps.web.private_links import TOO_MANY, private, too_many_requests, unavailable

_TOKEN_LENGTH = 43
KIND_WORDS: dict[str, str] = {
    ReminderKind.APPOINTMENT: "appointment reminders",
    ReminderKind.QUESTIONNAIRE: "questionnaire reminders",
}


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"crisis_text": settings.KETACLINIC_CRISIS_TEXT, **context}
    return private(render(request, template, context, status=status))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    if too_many_requests(request, "stop:" + token):
        return unavailable(request, *TOO_MANY)
    reminder = None
    if len(token) == _TOKEN_LENGTH:
        reminder = (
            Reminder.objects.select_related("patient__site")
            .filter(stop_token_hash=hash_token(token))
            .first()
        )
    if reminder is None:
        return unavailable(
            request,
            404,
            "This link does not work",
            "Check that you opened the whole link from your message, or call your clinic.",
        )
    site = reminder.patient.site
    scope = KIND_SCOPE[reminder.kind]
    context = {"site": site, "what": KIND_WORDS[reminder.kind], "token": token}
    if request.method == "POST":
        _opt_out, created = record_opt_out(
            reminder.patient,
            scope,
            via=ChangedVia.LINK,
            reminder=reminder,
            request=request,
        )
        return _page(request, "reminders/public_stopped.html", {**context, "created": created})
    already = OptOut.objects.filter(
        patient=reminder.patient, scope=scope, withdrawn_at__isnull=True
    ).exists()
    if already:
        return _page(request, "reminders/public_stopped.html", {**context, "created": False})
    return _page(request, "reminders/public_confirm.html", context)
