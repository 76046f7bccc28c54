from django.db import models


class Channel(models.TextChoices):
    """How a message reaches a person."""

    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"


class SenderKind(models.TextChoices):
    """``KETACLINIC_SENDER``: where outbound messages go."""

    CONSOLE = "console", "Console (development)"
    FILE = "file", "Files in the outbox folder"
    SMTP = "smtp", "SMTP server"
