from django.urls import path

from ketaclinic.apps.pk import views

app_name = "pk"
urlpatterns = [
    path("", views.compare_routes, name="compare"),
    path("route-equivalence/", views.route_equivalence, name="route-equivalence"),
]
