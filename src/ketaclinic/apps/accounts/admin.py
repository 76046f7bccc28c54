from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from ketaclinic.apps.accounts.models import Organisation, Site, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "timezone", "chairs", "dea_registration")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Clinic",
            {
                "fields": (
                    "sites",
                    "licence_number",
                    "licence_expires_on",
                    "dea_number",
                    "dea_expires_on",
                )
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions", "sites")
    list_display = ("username", "first_name", "last_name", "email", "is_active")
