"""The patient-facing address ``/r/<token>/`` (mounted at ``r/`` in the project URLs)."""

from django.urls import path

from ketaclinic.apps.assessments.views import public

app_name = "self_report"
urlpatterns = [
    path("<str:token>/", public.self_report, name="form"),
]
