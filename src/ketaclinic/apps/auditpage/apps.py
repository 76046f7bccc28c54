from django.apps import AppConfig


class AuditPageConfig(AppConfig):
    """The director's audit page and CSV export (``/audit/``).

    A page, not the trail: it scopes by the viewer's sites through ``accounts``, which
    itself records into ``audit``, so the page sits a floor above both.
    """

    name = "ketaclinic.apps.auditpage"
    label = "auditpage"
    verbose_name = "Audit page"
