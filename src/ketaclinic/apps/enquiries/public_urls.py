"""The public enquiry pages ``/join/`` and ``/join/<site-slug>/`` (mounted at ``join/``)."""

from django.urls import path

from ketaclinic.apps.enquiries.views import poster, public

app_name = "join"
urlpatterns = [
    path("", poster.join_index, name="index"),
    path("<slug:site_slug>/", public.join, name="form"),
]
