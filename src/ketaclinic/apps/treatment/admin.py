from django.contrib import admin

from ketaclinic.apps.treatment.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Holidays close a site for planning; sessions already planned on one are not moved."""

    list_display = ("date", "name", "site")
    list_filter = ("site",)
    date_hierarchy = "date"
