from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "ketaclinic.apps.messaging"
    label = "messaging"
    verbose_name = "Messaging"
