from django.apps import AppConfig


class ChartingConfig(AppConfig):
    """Label ``charting``: ``sessions`` is taken by ``django.contrib.sessions``."""

    name = "ketaclinic.apps.charting"
    label = "charting"
    verbose_name = "Session chart"
