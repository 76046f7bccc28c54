from django.urls import path

from ketaclinic.apps.iop.views import groups, patients, sessions

app_name = "iop"
urlpatterns = [
    path("", groups.group_list, name="list"),
    path("groups/new/", groups.group_create, name="group-create"),
    path("groups/<int:group_id>/", groups.group_detail, name="group"),
    path("groups/<int:group_id>/edit/", groups.group_edit, name="group-edit"),
    path("groups/<int:group_id>/enrol/", groups.enrol_patient, name="enrol"),
    path("groups/<int:group_id>/sessions/new/", groups.add_session, name="session-create"),
    path("groups/<int:group_id>/sessions/plan/", groups.plan_group_sessions, name="plan"),
    path("enrolments/<int:enrolment_id>/discharge/", groups.discharge_patient, name="discharge"),
    path("sessions/<int:session_id>/", sessions.session_attendance, name="session"),
    path(
        "sessions/<int:session_id>/notes/<int:enrolment_id>/",
        sessions.session_note,
        name="note",
    ),
    path("patients/<int:patient_id>/", patients.patient_iop, name="patient"),
]
