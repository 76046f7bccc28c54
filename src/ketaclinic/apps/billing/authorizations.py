"""Prior authorizations: which are about to lapse, the alerts that say so, and the advice
scheduling shows when a session falls outside one.

A session "uses" an authorization when it is a dosing session of the course, inside the
authorization's dates (the site's local date), and not cancelled or a no-show. An
authorization lapses by date (its end is within the site's warning days) or by count (the
sessions left, planned ones not yet given included, are at or below the site's warning).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet

from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.billing.choices import AuthorizationStatus
from ketaclinic.apps.billing.models import BillingProfile, PriorAuthorization
from ketaclinic.apps.treatment.choices import RELEASED_STATUSES, SessionKind, SessionStatus

DEFAULT_PROFILE = BillingProfile(lapse_warning_days=14, sessions_left_warning=2)
LIVE_STATUSES = (
    AuthorizationStatus.APPROVED,
    AuthorizationStatus.REQUESTED,
    AuthorizationStatus.APPEALED,
)
# "Used" sessions: given or under way. Planned ones count toward "booked".
GIVEN_STATUSES = (
    SessionStatus.CHECKED_IN,
    SessionStatus.DOSING,
    SessionStatus.OBSERVING,
    SessionStatus.DISCHARGED,
)


@dataclass(frozen=True)
class Lapse:
    """Why an authorization needs attention; ``days_left`` and ``sessions_left`` as of today."""

    authorization: PriorAuthorization
    days_left: int
    sessions_used: int
    sessions_booked: int
    by_date: bool
    by_count: bool

    @property
    def sessions_left(self) -> int:
        return self.authorization.authorised_sessions - self.sessions_used


def _in_window(prefix: str = "course__sessions__") -> Q:
    return Q(
        **{
            f"{prefix}kind": SessionKind.DOSING,
            f"{prefix}planned_start__date__gte": F("starts_on"),
            f"{prefix}planned_start__date__lte": F("ends_on"),
        }
    )


def with_session_counts(authorizations: QuerySet[PriorAuthorization]) -> QuerySet:
    """Annotate ``sessions_used`` and ``sessions_booked`` in the same query (no N+1)."""
    window = _in_window()
    return authorizations.annotate(
        sessions_used=Count(
            "course__sessions",
            filter=window & Q(course__sessions__status__in=GIVEN_STATUSES),
            distinct=True,
        ),
        sessions_booked=Count(
            "course__sessions",
            filter=window & ~Q(course__sessions__status__in=RELEASED_STATUSES),
            distinct=True,
        ),
    )


def profile_of(site: Any) -> BillingProfile:
    """The site's billing profile (select_related by the caller), or the defaults."""
    try:
        return site.billing_profile
    except BillingProfile.DoesNotExist:
        return DEFAULT_PROFILE


def lapse_of(authorization: PriorAuthorization, today: dt.date) -> Lapse | None:
    """Why an approved authorization annotated by ``with_session_counts`` needs attention."""
    if authorization.status != AuthorizationStatus.APPROVED:
        return None
    profile = profile_of(authorization.course.site)
    days_left = (authorization.ends_on - today).days
    used = authorization.sessions_used
    by_date = days_left <= profile.lapse_warning_days
    by_count = authorization.authorised_sessions - used <= profile.sessions_left_warning
    if not (by_date or by_count):
        return None
    return Lapse(authorization, days_left, used, authorization.sessions_booked, by_date, by_count)


def lapsing_for_sites(site_ids: list[int], today: dt.date) -> list[Lapse]:
    """Every approved authorization at these sites about to lapse, soonest first: one query."""
    authorizations = with_session_counts(
        at_sites(PriorAuthorization, site_ids)
        .filter(status=AuthorizationStatus.APPROVED)
        .select_related("course__patient", "course__site__billing_profile")
    ).order_by("ends_on", "id")
    lapses = (lapse_of(a, today) for a in authorizations)
    return [lapse for lapse in lapses if lapse is not None]


@dataclass(frozen=True)
class CheckRun:
    expired: int
    date_alerts: int
    count_alerts: int


def _alerted(source_type: str, ids: list[int]) -> set[str]:
    return set(
        Alert.objects.filter(
            source_type=source_type, source_id__in=[str(i) for i in ids]
        ).values_list("source_id", flat=True)
    )


def check_authorizations(now: dt.datetime) -> CheckRun:
    """For cron: expire approvals past their end, and raise one alert per authorization
    about to lapse by date and one when its sessions are nearly used. Idempotent."""
    expired = 0
    date_alerts = count_alerts = 0
    with transaction.atomic():
        ended = PriorAuthorization.objects.select_related("course__site").filter(
            status=AuthorizationStatus.APPROVED
        )
        for authorization in ended:
            today = now.astimezone(ZoneInfo(authorization.course.site.timezone)).date()
            if authorization.ends_on < today:
                authorization.status = AuthorizationStatus.EXPIRED
                authorization.updated_at = now
                authorization.save(update_fields=["status", "updated_at"])
                record_event(
                    None,
                    Action.UPDATE,
                    object_type="prior_authorization",
                    object_id=authorization.pk,
                    patient=authorization.course.patient,
                    detail={"status": "expired", "by": "check-authorizations"},
                )
                expired += 1
        site_ids = list(
            PriorAuthorization.objects.filter(status=AuthorizationStatus.APPROVED)
            .order_by()
            .values_list("course__site_id", flat=True)
            .distinct()
        )
        lapses = [
            lapse
            for site_id in site_ids
            for lapse in lapsing_for_sites([site_id], _site_today(site_id, now))
        ]
        ids = [lapse.authorization.pk for lapse in lapses]
        dated, counted = (
            _alerted("prior_authorization_date", ids),
            _alerted("prior_authorization_count", ids),
        )
        for lapse in lapses:
            auth = lapse.authorization
            course = auth.course
            label = f"{auth.payer_name} {auth.authorization_number}"
            if lapse.by_date and str(auth.pk) not in dated:
                raise_alert(
                    site=course.site_id,
                    kind=AlertKind.AUTHORIZATION_LAPSING,
                    level=AlertLevel.WARNING,
                    title=f"Prior authorization {label} ends {auth.ends_on:%Y-%m-%d}",
                    message=(
                        f"{lapse.days_left} day(s) left; {lapse.sessions_used} of "
                        f"{auth.authorised_sessions} sessions used. Ask the payer to extend "
                        "it or plan the sessions after it as self-pay."
                    ),
                    patient=course.patient,
                    source_type="prior_authorization_date",
                    source_id=auth.pk,
                )
                date_alerts += 1
            if lapse.by_count and str(auth.pk) not in counted:
                raise_alert(
                    site=course.site_id,
                    kind=AlertKind.AUTHORIZATION_SESSIONS,
                    level=AlertLevel.WARNING,
                    title=(
                        f"Prior authorization {label}: {lapse.sessions_left} of "
                        f"{auth.authorised_sessions} sessions left"
                    ),
                    message=(
                        f"{lapse.sessions_used} used, {lapse.sessions_booked} booked in its "
                        "dates. Request more sessions before the last one is given."
                    ),
                    patient=course.patient,
                    source_type="prior_authorization_count",
                    source_id=auth.pk,
                )
                count_alerts += 1
    return CheckRun(expired, date_alerts, count_alerts)


def _site_today(site_id: int, now: dt.datetime) -> dt.date:
    from ketaclinic.apps.accounts.models import Site

    return now.astimezone(ZoneInfo(Site.objects.get(pk=site_id).timezone)).date()


def authorization_advice(session: Any) -> list[str]:
    """Scheduling's warning when a dosing session falls outside the course's authorization.

    A course with no authorization at all is self-pay: nothing to say."""
    if session.kind != SessionKind.DOSING:
        return []
    authorizations = list(
        PriorAuthorization.objects.filter(course_id=session.course_id).exclude(
            status=AuthorizationStatus.DENIED
        )
    )
    if not authorizations:
        return []
    day = session.planned_start.astimezone(ZoneInfo(session.site.timezone)).date()
    covering = [
        a
        for a in authorizations
        if a.status == AuthorizationStatus.APPROVED and a.starts_on <= day <= a.ends_on
    ]
    if not covering:
        windows = ", ".join(
            f"{a.authorization_number or a.payer_name} {a.starts_on:%Y-%m-%d} to "
            f"{a.ends_on:%Y-%m-%d} ({a.get_status_display().lower()})"
            for a in authorizations
        )
        return [
            f"Session {session.number} on {day:%a %Y-%m-%d} is outside the prior "
            f"authorization ({windows}): the payer may refuse it."
        ]
    authorization = covering[0]
    counted = with_session_counts(PriorAuthorization.objects.filter(pk=authorization.pk)).get()
    if counted.sessions_booked > authorization.authorised_sessions:
        return [
            f"Session {session.number} is beyond the {authorization.authorised_sessions} "
            f"sessions authorised ({counted.sessions_booked} booked in its dates)."
        ]
    return []
