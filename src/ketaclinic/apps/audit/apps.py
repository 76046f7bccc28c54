from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ketaclinic.apps.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from ketaclinic.apps.audit import database_guard  # noqa: F401  (connects the receiver)
