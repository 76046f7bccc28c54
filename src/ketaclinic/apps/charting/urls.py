from django.urls import path

from ketaclinic.apps.charting.views import (
    chart,
    day,
    dosing,
    ending,
    notes,
    observing,
    rems_dashboard,
)

app_name = "charting"
urlpatterns = [
    path("", chart.session_list, name="list"),
    path("<int:session_id>/", chart.session_chart, name="chart"),
    path("<int:session_id>/check-in/", day.check_in_view, name="check-in"),
    path("<int:session_id>/pre-checks/", day.pre_check_view, name="pre-check"),
    path(
        "<int:session_id>/pre-checks/<int:pre_check_id>/decision/",
        day.hold_decision_view,
        name="hold-decision",
    ),
    path("<int:session_id>/dose-order/", dosing.dose_order_view, name="dose-order"),
    path("<int:session_id>/dose/start/", dosing.administration_start_view, name="dose-start"),
    path("<int:session_id>/dose/stop/", dosing.administration_finish_view, name="dose-stop"),
    path("<int:session_id>/vitals/", observing.vital_sign_view, name="vitals"),
    path("<int:session_id>/moaas/", observing.moaas_view, name="moaas"),
    path("<int:session_id>/cadss/", observing.cadss_view, name="cadss"),
    path("<int:session_id>/adverse-events/", observing.adverse_event_view, name="adverse-event"),
    path("<int:session_id>/rescue/", observing.rescue_medication_view, name="rescue"),
    path("<int:session_id>/discharge/", ending.discharge_view, name="discharge"),
    path("<int:session_id>/rems/", ending.rems_view, name="rems"),
    path("<int:session_id>/rems/submitted/", ending.rems_submitted_view, name="rems-submitted"),
    path("<int:session_id>/rems/form.pdf", ending.rems_pdf_view, name="rems-pdf"),
    path("<int:session_id>/rems/resend/", ending.rems_resend_view, name="rems-resend"),
    path("<int:session_id>/rems/enrolment/", ending.rems_enrolment_view, name="rems-enrolment"),
    path("rems/", rems_dashboard.rems_dashboard, name="rems-dashboard"),
    path("<int:session_id>/notes/<str:kind>/", notes.session_note_view, name="note"),
    path(
        "patients/<int:patient_id>/integration-notes/",
        notes.integration_notes_view,
        name="integration-notes",
    ),
]
