"""The SMS provider's inbound webhook, mounted at ``hooks/sms/`` (public, signed)."""

from django.urls import path

from ketaclinic.apps.reminders.views import hooks

app_name = "sms_hooks"
urlpatterns = [
    path("<slug:site_slug>/", hooks.inbound_sms, name="inbound"),
]
