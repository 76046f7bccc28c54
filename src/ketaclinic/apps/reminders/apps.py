from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "ketaclinic.apps.reminders"
    label = "reminders"
    verbose_name = "Reminders"
