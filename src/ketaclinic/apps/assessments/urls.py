from django.urls import path

from ketaclinic.apps.assessments.views import staff

app_name = "assessments"
urlpatterns = [
    path("patient/<int:patient_id>/", staff.assessment_list, name="list"),
    path("patient/<int:patient_id>/new/", staff.choose_instrument, name="choose"),
    path("patient/<int:patient_id>/new/<str:instrument>/", staff.assessment_enter, name="enter"),
    path("patient/<int:patient_id>/send/", staff.send_link, name="send-link"),
    path("patient/<int:patient_id>/schedules/", staff.schedule_add, name="schedule-add"),
    path("schedules/<int:schedule_id>/stop/", staff.schedule_stop, name="schedule-stop"),
    path("<int:assessment_id>/", staff.assessment_detail, name="detail"),
    path("<int:assessment_id>/correct/", staff.assessment_correct, name="correct"),
]
