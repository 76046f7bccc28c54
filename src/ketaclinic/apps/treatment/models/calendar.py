"""A site's calendar and its clinic-configurable screening thresholds.

Open weekdays and chairs live on ``accounts.Site``; holidays are here, in the treatment app,
because only planning reads them. Both feed ``clinical.schedule.ClinicCalendar``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Holiday(models.Model):
    """A day a site is closed: no session is planned on it."""

    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="holiday_once_per_site_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class ClinicRuleSettings(models.Model):
    """A site's overrides of ``ScreeningParameters`` (any subset, as JSON).

    Validated by ``ScreeningParameters.from_dict``; new screenings use them and store the
    full parameters they ran with. Changed by the medical director, audited.
    """

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.CASCADE, related_name="rule_settings"
    )
    screening_overrides = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name_plural = "clinic rule settings"

    def __str__(self) -> str:
        return f"Screening settings of {self.site}"
