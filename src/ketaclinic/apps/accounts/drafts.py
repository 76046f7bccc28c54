"""Nothing typed is lost to an idle logout: a form posted after expiry is kept for its author.

The idle middleware calls ``keep_draft`` for a form POST that arrives after the session has
ended (its CSRF token checked first, so another site cannot plant one). After logging in
again the author lands on the page the form was on (never the POST-only URL it posted to),
and ``static/accounts/idle.js`` fetches the draft and fills the form back in for review.
Drafts are deleted when that form is submitted successfully or discarded, and are never
offered after ``DRAFT_KEEP_HOURS``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ketaclinic.apps.accounts.models import FormDraft, User
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock

DRAFT_KEEP_HOURS = 12
"""As long as a session may last at all (``SESSION_COOKIE_AGE``): a shift, not a week."""

DRAFTS_SESSION_KEY = "ketaclinic_has_drafts"
DRAFT_FIELD = "_draft"
"""Posted back by the restored form, so a successful submit deletes the draft it came from."""

_NOT_KEPT = {"csrfmiddlewaretoken", DRAFT_FIELD}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def takes_get(path: str) -> bool:
    """Whether the view at ``path`` answers GET (so it can be returned to after login).

    Class-based views say so in ``http_method_names``; function views decorated with
    ``require_http_methods`` / ``require_POST`` keep their method list in the decorator's
    closure, which is read here. A view that declares nothing takes GET.
    """
    try:
        func = resolve(urlsplit(path).path).func
    except Resolver404:
        return False
    view_class = getattr(func, "view_class", None)
    if view_class is not None:
        return "get" in view_class.http_method_names and hasattr(view_class, "get")
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() and m.isalpha() for m in value)
            ):
                return "GET" in value
        func = getattr(func, "__wrapped__", None)
    return True


def return_path(request: HttpRequest) -> str:
    """Where to come back to after logging in: this page for a GET, else the page the form
    was on (the same-site Referer), else the home page. Never a URL that only takes POST."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    candidates = []
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        candidates.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    candidates.append(request.path)  # a form that posts to its own page
    login = reverse("accounts:login")
    for path in candidates:
        if not path.startswith(login) and takes_get(path):
            return path
    return reverse("home")


def _csrf_ok(request: HttpRequest) -> bool:
    check = CsrfViewMiddleware(lambda r: None)  # type: ignore[arg-type]
    return check.process_view(request, lambda r: None, (), {}) is None


def keep_draft(request: HttpRequest, user: User, page_path: str) -> FormDraft | None:
    """Store a form POST for ``user``; None when it is not a form post or fails CSRF."""
    if request.method != "POST" or request.content_type not in _FORM_TYPES:
        return None
    if not _csrf_ok(request):
        return None
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in _NOT_KEPT
        for value in values
    ]
    if not fields:
        return None
    draft = FormDraft.objects.create(
        user=user,
        form_path=request.path[:500],
        page_path=page_path[:500],
        fields=fields,
        saved_at=clock.now(),
    )
    record_event(
        request,
        Action.CREATE,
        object_type="form_draft",
        object_id=draft.pk,
        detail={"form": draft.form_path, "fields": len(fields)},
        actor=user,
    )
    return draft


def fresh_drafts(user: User) -> QuerySet[FormDraft]:
    since = clock.now() - dt.timedelta(hours=DRAFT_KEEP_HOURS)
    return FormDraft.objects.filter(user=user, saved_at__gte=since)


def note_drafts_after_login(request: HttpRequest, user: User) -> None:
    """Flag the new session when drafts wait, so pages ask for them (and only then)."""
    FormDraft.objects.filter(
        user=user, saved_at__lt=clock.now() - dt.timedelta(hours=DRAFT_KEEP_HOURS)
    ).delete()
    if fresh_drafts(user).exists():
        request.session[DRAFTS_SESSION_KEY] = True


def forget_draft(request: HttpRequest, draft_id: int, *, action: str) -> bool:
    """Delete the user's own draft (submitted or discarded); clear the flag when none is left."""
    deleted, _ = FormDraft.objects.filter(pk=draft_id, user=request.user).delete()
    if deleted:
        record_event(
            request,
            Action.DELETE,
            object_type="form_draft",
            object_id=draft_id,
            detail={"because": action},
        )
    if not fresh_drafts(request.user).exists():
        request.session.pop(DRAFTS_SESSION_KEY, None)
    return bool(deleted)
