from django.urls import path

from ketaclinic.apps.enquiries.views import poster, queue

app_name = "enquiries"
urlpatterns = [
    path("", queue.queue, name="list"),
    path("poster/<slug:site_slug>/", poster.poster, name="poster"),
    path("<int:enquiry_id>/", queue.detail, name="detail"),
    path("<int:enquiry_id>/contact/", queue.contact, name="contact"),
    path("<int:enquiry_id>/schedule/", queue.schedule, name="schedule"),
    path("<int:enquiry_id>/decline/", queue.decline, name="decline"),
    path("<int:enquiry_id>/convert/", queue.convert, name="convert"),
]
