"""API tokens: how a script calls the REST API as a member of staff, with less than they hold.

A token is ``kc_<prefix>_<secret>``. Only the SHA-256 of the whole token is kept (the secret is
32 random bytes, so a fast hash is as strong as a slow one and costs nothing per call); the
prefix is kept in clear to find the row and to show the owner which token is which. The full
token is shown once, when it is made.

A token is scoped: a subset of its owner's permissions and of their sites, both chosen when it
is made and intersected again with what the owner holds at each use (a nurse who loses a site
or a role loses it for their tokens too). It expires (at most a year on) and can be revoked by
its owner, by the medical director of a site its owner works at, or by the operator
(``ketaclinic accounts token revoke``). A *service* token is a token whose owner is a service
account (a user with no password, given only the roles the service needs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction

from ketaclinic.apps.accounts.token_limits import DEFAULT_DAYS, MAX_DAYS
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "REVOKE_PERMISSION",
    "ApiToken",
    "issue_token",
    "may_revoke",
    "parse_token",
    "revoke_token",
    "token_hash",
]

TOKEN_PREFIX = "kc_"  # noqa: S105  # nosec B105 - the public marker of a token, not a secret
PREFIX_LENGTH = 8
REVOKE_PERMISSION = "accounts.revoke_api_token"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal or service API token: its owner, scope, expiry and, once revoked, who did."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. nightly export.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole token (hex).")
    permissions = models.JSONField(
        default=list, help_text='Permission codes the token carries, e.g. "patients.view_patient".'
    )
    sites = models.ManyToManyField("accounts.Site", related_name="api_tokens")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        app_label = "accounts"
        ordering = ["-created_at", "-id"]
        permissions = [(REVOKE_PERMISSION.split(".")[1], "Can revoke staff's API tokens")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{TOKEN_PREFIX}{self.prefix}… ({self.name})"

    @property
    def shown(self) -> str:
        """What the owner sees of the token after it is made."""
        return f"{TOKEN_PREFIX}{self.prefix}_…"

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"


def parse_token(token: str) -> str | None:
    """The prefix of a well-formed token, else ``None``."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if len(prefix) != PREFIX_LENGTH or len(secret) < 32:
        return None
    return prefix


def matches(token: ApiToken, presented: str) -> bool:
    return hmac.compare_digest(token.secret_hash, token_hash(presented))


def grantable_permissions(owner: Any) -> list[str]:
    """What ``owner`` could put on a token: every permission they hold now, sorted."""
    return sorted(owner.get_all_permissions())


def issue_token(
    owner: Any,
    *,
    name: str,
    permissions: Iterable[str],
    site_ids: Iterable[int],
    days: int = DEFAULT_DAYS,
    by: Any = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``owner``; returns it and the full token text (shown once, never kept).

    Refuses (``InputError`` naming the field) a scope wider than the owner holds, no
    permission or site at all, or an expiry beyond ``MAX_DAYS``.
    """
    from ketaclinic.apps.accounts.scoping import site_ids_for
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    name = name.strip()
    if not name:
        raise MissingItem("name", "say what the token is for")
    if len(name) > 100:
        raise InvalidValue("name", "at most 100 characters")
    wanted = sorted(set(permissions))
    if not wanted:
        raise MissingItem("permissions", "choose at least one permission")
    held = set(owner.get_all_permissions())
    beyond = [code for code in wanted if code not in held]
    if beyond:
        raise InvalidValue("permissions", f"{owner.get_username()} does not hold {beyond[0]}")
    chosen_sites = sorted(set(site_ids))
    if not chosen_sites:
        raise MissingItem("sites", "choose at least one site")
    if set(chosen_sites) - set(site_ids_for(owner)):
        raise InvalidValue("sites", f"{owner.get_username()} does not work at every site chosen")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidValue("days", f"a token lasts from 1 to {MAX_DAYS} days")
    now = clock.now()
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    text = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            owner=owner,
            name=name,
            prefix=prefix,
            secret_hash=token_hash(text),
            permissions=wanted,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        token.sites.set(chosen_sites)
        record_event(
            request,
            Action.CREATE,
            object_type="api_token",
            object_id=token.pk,
            actor=by,
            detail={
                "owner": owner.get_username(),
                "prefix": prefix,
                "permissions": wanted,
                "sites": chosen_sites,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, text


def may_revoke(user: Any, token: ApiToken) -> bool:
    """The owner, or a holder of ``revoke_api_token`` at a site the owner works at."""
    from ketaclinic.apps.accounts.scoping import staff_at

    if not user.is_authenticated:
        return False
    if token.owner_id == user.pk:
        return True
    if not user.has_perm(REVOKE_PERMISSION):
        return False
    return staff_at(user, REVOKE_PERMISSION).filter(pk=token.owner_id).exists()


def revoke_token(token: ApiToken, *, by: Any = None, request: HttpRequest | None = None) -> bool:
    """Revoke ``token`` now (audited); ``False`` if it was revoked already."""
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_by=by if by is not None else None
        )
        if changed:
            record_event(
                request,
                Action.DELETE,
                object_type="api_token",
                object_id=token.pk,
                actor=by,
                detail={"owner": token.owner.get_username(), "prefix": token.prefix},
            )
    token.refresh_from_db()
    return bool(changed)
