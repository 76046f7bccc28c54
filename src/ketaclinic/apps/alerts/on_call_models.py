"""Who is on call at a site, and every attempt to reach them about an urgent alert.

Imported by ``models.py`` so Django registers them with the alerts app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.alerts.choices import PageChannel, PageOutcome


class OnCallPolicy(models.Model):
    """A site's rules for urgent alerts: who is paged when the rota is empty, how long an
    alert may go unacknowledged before the next person is paged, and the promise made to a
    patient whose answer raised the alert (which must not be more than the clinic does)."""

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.CASCADE, related_name="on_call_policy"
    )
    escalate_after_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Page the next person when an urgent alert is still open after this long.",
    )
    contact_within_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="What a patient is told: a clinician will contact you within this long.",
    )
    fallback_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Paged after the rota, or first when no one is on the rota.",
    )
    fallback_group = models.ForeignKey(
        "auth.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Then each member of this role at the site, one after another.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "on-call policies"
        permissions = [("manage_on_call", "Can set who is on call for urgent alerts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalate_after_minutes__gte=1),
                name="on_call_escalates_after_a_minute_or_more",
            ),
            models.CheckConstraint(
                condition=Q(contact_within_minutes__gte=F("escalate_after_minutes")),
                name="on_call_promise_not_shorter_than_escalation",
            ),
        ]

    def __str__(self) -> str:
        return f"On call at {self.site}"


class OnCallShift(models.Model):
    """One person on call at a site from ``starts_at`` to ``ends_at``; ``rank`` 1 is paged
    first, rank 2 next, and so on (a primary and a backup for the same night)."""

    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="on_call")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    rank = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )

    class Meta:
        ordering = ["starts_at", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="on_call_shift_ends_after_it_starts"
            ),
        ]
        indexes = [models.Index(fields=["site", "ends_at"], name="on_call_shift_site_end_idx")]

    def __str__(self) -> str:
        return f"{self.person} on call at {self.site}"


class PagerNumber(models.Model):
    """The phone or pager number urgent alerts are texted to, for one staff member."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pager_number"
    )
    number = models.CharField(max_length=25)

    def __str__(self) -> str:
        return f"Pager for {self.person}"


class AlertPage(models.Model):
    """One attempt to reach one person about one alert, kept whatever happened.

    ``step`` counts escalations (0: the first person paged); ``attempt`` counts retries of a
    failed send. A failed attempt with ``retry_at`` set is tried again by
    ``ketaclinic alerts escalate``; the error text names the failure, never the message.
    """

    alert = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="pages")
    step = models.PositiveSmallIntegerField()
    attempt = models.PositiveSmallIntegerField(default=1)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=PageChannel.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=PageOutcome.choices)
    sender = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["retry_at"],
                condition=Q(retry_at__isnull=False),
                name="alert_page_retry_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.channel}) for alert {self.alert_id}"
