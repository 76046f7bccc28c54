from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ketaclinic.apps.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from ketaclinic.apps.audit import (  # noqa: F401  (connect the receiver, register the check)
            checks,
            database_guard,
        )
