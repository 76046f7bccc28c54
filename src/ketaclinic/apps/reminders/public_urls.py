"""The patient-facing address ``/stop/<token>/`` (mounted at ``stop/`` in the project URLs)."""

from django.urls import path

from ketaclinic.apps.reminders.views import public

app_name = "reminder_stop"
urlpatterns = [
    path("<str:token>/", public.stop, name="confirm"),
]
