from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ketaclinic.apps.ledger"
    label = "ledger"
    verbose_name = "Controlled-substance ledger"

    def ready(self) -> None:
        from ketaclinic.apps.jobs.choices import JobKind
        from ketaclinic.apps.jobs.registry import register_runner
        from ketaclinic.apps.ledger.pdf_job import make_ledger_pdf

        register_runner(JobKind.LEDGER_PDF, make_ledger_pdf)
