from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ketaclinic.apps.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        from ketaclinic.apps.web import checks  # noqa: F401  (registers the deploy checks)
