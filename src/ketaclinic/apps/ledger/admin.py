"""Settings for the ledger: the products a clinic stocks and each site's inventory interval.

Stock and entries are never edited here: they change only through ``operations``.
"""

from django.contrib import admin

from ketaclinic.apps.ledger.models import LedgerSettings, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "drug", "form", "ndc", "strength_mg", "measure", "package_quantity")
    list_filter = ("drug", "form", "active")
    search_fields = ("name", "ndc")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # products are referenced by the ledger for ever; deactivate instead


@admin.register(LedgerSettings)
class LedgerSettingsAdmin(admin.ModelAdmin):
    list_display = ("site", "inventory_interval")
