"""The patient-facing address ``/home/<token>/`` (mounted at ``home/`` in the project URLs)."""

from django.urls import path

from ketaclinic.apps.homeprogram.views import public

app_name = "home_check_in"
urlpatterns = [
    path("<str:token>/", public.check_in, name="form"),
]
