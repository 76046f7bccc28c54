from django.urls import path

from ketaclinic.apps.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:alert_id>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
]
