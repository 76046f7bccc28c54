"""Login, logout and password change: Django's views with our templates and audit; the idle
session's status and the drafts kept from a form posted after it ended."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.drafts import (
    DRAFTS_SESSION_KEY,
    forget_draft,
    fresh_drafts,
    note_drafts_after_login,
    takes_get,
)
from ketaclinic.apps.accounts.middleware import (
    LAST_ACTIVITY_KEY,
    IdleTimeoutMiddleware,
    seconds_left,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        """``next`` if it is a page (a URL that answers GET), never a POST-only URL's 405."""
        url = super().get_redirect_url()
        return url if url and takes_get(url) else ""

    def form_valid(self, form):
        response = super().form_valid(form)
        note_drafts_after_login(self.request, form.get_user())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_event(
            self.request, Action.PASSWORD_CHANGE, object_type="user", object_id=self.request.user.pk
        )
        messages.success(self.request, "Your password was changed.")
        return response


def _signed_out() -> JsonResponse:
    return JsonResponse({"seconds_left": 0, "signed_in": False}, status=401)


@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> HttpResponse:
    """GET: seconds left before the idle logout (extends nothing). POST: stay signed in."""
    if not request.user.is_authenticated:
        return _signed_out()
    now = IdleTimeoutMiddleware.clock()
    if request.method == "POST":
        request.session[LAST_ACTIVITY_KEY] = now
    return JsonResponse({"seconds_left": seconds_left(request, now), "signed_in": True})


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


@require_POST
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signed_out()
    found = forget_draft(request, draft_id, action="discarded")
    return JsonResponse({"discarded": found}, status=200 if found else 404)
