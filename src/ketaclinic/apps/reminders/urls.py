from django.urls import path

from ketaclinic.apps.reminders.views import staff

app_name = "reminders"
urlpatterns = [
    path("", staff.reminder_list, name="list"),
    path("patients/<int:patient_id>/", staff.patient_preferences, name="patient"),
]
