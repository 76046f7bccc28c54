from django.contrib import admin

from ketaclinic.apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only everywhere, the admin included."""

    list_display = ("position", "occurred_at", "actor_username", "action", "object_type", "outcome")
    list_filter = ("action", "outcome")
    search_fields = ("actor_username", "object_id", "request_id")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
