from django.urls import path

from ketaclinic.apps.homeprogram.views import staff

app_name = "homeprogram"
urlpatterns = [
    path("", staff.program_list, name="list"),
    path("patient/<int:patient_id>/", staff.patient_program, name="patient"),
    path("patient/<int:patient_id>/prescribe/", staff.prescribe, name="prescribe"),
    path("prescription/<int:prescription_id>/send/", staff.send_link, name="send-link"),
    path("prescription/<int:prescription_id>/pill-count/", staff.pill_count, name="pill-count"),
    path("prescription/<int:prescription_id>/refill/", staff.refill, name="refill"),
    path(
        "prescription/<int:prescription_id>/supply-event/",
        staff.supply_event,
        name="supply-event",
    ),
]
