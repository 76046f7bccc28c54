"""Each site's billing profile, fee schedule and code table, edited in Settings (admin)."""

from django.contrib import admin

from ketaclinic.apps.billing.models import BillingProfile, CodeMapping, FeeScheduleEntry


@admin.register(BillingProfile)
class BillingProfileAdmin(admin.ModelAdmin):
    list_display = ("billing_name", "site", "npi", "place_of_service")


@admin.register(FeeScheduleEntry)
class FeeScheduleEntryAdmin(admin.ModelAdmin):
    list_display = ("site", "code", "description", "fee_per_unit")
    list_filter = ("site",)
    list_editable = ("fee_per_unit",)


@admin.register(CodeMapping)
class CodeMappingAdmin(admin.ModelAdmin):
    list_display = ("site", "service", "code")
    list_filter = ("site",)
