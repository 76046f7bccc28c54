from django.apps import AppConfig


class TodayConfig(AppConfig):
    name = "ketaclinic.apps.today"
    label = "today"
    verbose_name = "Today"
