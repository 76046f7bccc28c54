from django.urls import path

from ketaclinic.apps.alerts import on_call_views, views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path("<int:alert_id>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
    path("on-call/", on_call_views.on_call, name="on-call"),
    path("on-call/policy/", on_call_views.on_call_policy, name="on-call-policy"),
    path("on-call/shifts/", on_call_views.on_call_shift_add, name="on-call-shift-add"),
    path(
        "on-call/shifts/<int:shift_id>/remove/",
        on_call_views.on_call_shift_remove,
        name="on-call-shift-remove",
    ),
    path("on-call/pagers/", on_call_views.pager_number_set, name="on-call-pager"),
]
