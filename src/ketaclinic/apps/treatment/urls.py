from django.urls import path

from ketaclinic.apps.treatment.views import plans, rules, schedule, screening

app_name = "treatment"
urlpatterns = [
    path("schedule/", schedule.schedule, name="schedule"),
    path(
        "treatment/patients/<int:patient_id>/screening/",
        screening.screening_new,
        name="screening-new",
    ),
    path("treatment/screenings/<int:screening_id>/", screening.screening_detail, name="screening"),
    path(
        "treatment/screenings/<int:screening_id>/sign/",
        screening.screening_sign,
        name="screening-sign",
    ),
    path("treatment/screenings/<int:screening_id>/plan/", plans.course_new, name="course-new"),
    path("treatment/courses/<int:course_id>/", plans.course_detail, name="course"),
    path("treatment/courses/<int:course_id>/dose/", plans.course_dose, name="course-dose"),
    path("treatment/courses/<int:course_id>/status/", plans.course_status, name="course-status"),
    path(
        "treatment/sessions/<int:session_id>/reschedule/",
        plans.session_reschedule,
        name="session-reschedule",
    ),
    path("treatment/settings/", rules.rule_settings, name="rule-settings"),
    path("treatment/settings/holidays/", rules.holiday_add, name="holiday-add"),
    path(
        "treatment/settings/holidays/<int:holiday_id>/delete/",
        rules.holiday_delete,
        name="holiday-delete",
    ),
]
