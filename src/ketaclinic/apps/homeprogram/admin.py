"""The site's home-program lines (the early-refill share), set by the director or the admin.

Prescriptions, refills, check-ins and counts are never edited here: they change only through
the pages and the API, which check the rules and audit.
"""

from django.contrib import admin

from ketaclinic.apps.homeprogram.models import HomeProgramSettings


@admin.register(HomeProgramSettings)
class HomeProgramSettingsAdmin(admin.ModelAdmin):
    list_display = ("site", "early_refill_fraction")
