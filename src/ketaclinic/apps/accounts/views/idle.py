"""The idle session's status (and "stay signed in"), and the drafts kept from a form posted
after the session ended: see ``accounts.drafts`` and ``accounts.middleware``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.drafts import DRAFTS_SESSION_KEY, forget_draft, fresh_drafts
from ketaclinic.apps.accounts.middleware import (
    LAST_ACTIVITY_KEY,
    IdleTimeoutMiddleware,
    seconds_left,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event


def _signed_out() -> JsonResponse:
    return JsonResponse({"seconds_left": 0, "signed_in": False}, status=401)


# The three views below are exempt from the login redirect only so that a page whose session
# has ended gets 401 JSON (which accounts/idle.js reads) rather than the login page's HTML.
# Each refuses an anonymous caller itself before reading anything, and a draft is found only
# among the caller's own (tests/accounts/test_idle_drafts.py).
@login_not_required
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> HttpResponse:
    """GET: seconds left before the idle logout (extends nothing). POST: stay signed in."""
    if not request.user.is_authenticated:
        return _signed_out()
    now = IdleTimeoutMiddleware.clock()
    if request.method == "POST":
        request.session[LAST_ACTIVITY_KEY] = now
    return JsonResponse({"seconds_left": seconds_left(request, now), "signed_in": True})


@login_not_required
def drafts(request: HttpRequest) -> HttpResponse:
    """The user's own drafts kept for ``?page=`` (the page a form was on); audited."""
    if not request.user.is_authenticated:
        return _signed_out()
    page = request.GET.get("page", "")
    kept = list(fresh_drafts(request.user).filter(page_path=page)[:5])
    for draft in kept:
        record_event(
            request,
            Action.VIEW,
            object_type="form_draft",
            object_id=draft.pk,
            detail={"page": page},
        )
    if not kept and not fresh_drafts(request.user).exists():
        request.session.pop(DRAFTS_SESSION_KEY, None)
    items = [
        {
            "id": d.pk,
            "form_path": d.form_path,
            "fields": d.fields,
            "saved_at": d.saved_at.isoformat(),
        }
        for d in kept
    ]
    return JsonResponse({"drafts": items})


@login_not_required
@require_POST
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signed_out()
    found = forget_draft(request, draft_id, action="discarded")
    return JsonResponse({"discarded": found}, status=200 if found else 404)
