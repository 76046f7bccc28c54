"""``/accounts/tokens/``: make, list and revoke API tokens.

Any member of staff makes tokens for themselves (scoped to what they hold) and revokes their
own; the medical director (``accounts.revoke_api_token``) also sees and revokes the tokens of
staff at their sites. The full token is shown once, on the page that answers the form, and is
never stored or put in a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.api_tokens import (
    REVOKE_PERMISSION,
    ApiToken,
    issue_token,
    may_revoke,
    revoke_token,
)
from ketaclinic.apps.accounts.forms.tokens import ApiTokenForm
from ketaclinic.apps.accounts.scoping import staff_at
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError

if TYPE_CHECKING:
    from ketaclinic.apps.accounts.models import User


def _rows(request: HttpRequest) -> list[dict]:
    user = cast("User", request.user)  # logged in: deny by default
    seen = Q(owner=user)
    if user.has_perm(REVOKE_PERMISSION):
        seen |= Q(owner__in=staff_at(user, REVOKE_PERMISSION))
    tokens = (
        ApiToken.objects.filter(seen)
        .distinct()
        .select_related("owner", "revoked_by")
        .prefetch_related("sites")
        .order_by("owner__username", "-created_at", "-id")
    )
    now = clock.now()
    return [
        {"token": t, "state": t.state(now), "mine": t.owner_id == user.pk} for t in tokens[:200]
    ]


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None, owner=request.user)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            token, text = issue_token(
                request.user,
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
                site_ids=[s.pk for s in form.cleaned_data["sites"]],
                days=form.cleaned_data["days"],
                request=request,
            )
        except InputError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            made = {"token": token, "text": text}
            form = ApiTokenForm(owner=request.user)
    status = 422 if request.method == "POST" and made is None else 200
    context = {"form": form, "rows": _rows(request), "made": made}
    return render(request, "accounts/token_list.html", context, status=status)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.select_related("owner").filter(pk=token_id).first()
    if token is None or not may_revoke(request.user, token):
        raise Http404("No such token")
    revoke_token(token, by=request.user, request=request)
    return redirect("accounts:tokens")
