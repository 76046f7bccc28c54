from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "ketaclinic.apps.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from ketaclinic.apps.outcomes import signals

        signals.connect()
