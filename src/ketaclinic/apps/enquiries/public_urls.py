"""The public enquiry page ``/join/<site-slug>/`` (mounted at ``join/`` in the project URLs)."""

from django.urls import path

from ketaclinic.apps.enquiries.views import public

app_name = "join"
urlpatterns = [
    path("<slug:site_slug>/", public.join, name="form"),
]
