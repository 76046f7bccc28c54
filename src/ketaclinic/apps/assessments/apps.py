from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "ketaclinic.apps.assessments"
    label = "assessments"
    verbose_name = "Assessments"
