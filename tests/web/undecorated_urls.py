"""A URLconf with a view that has no access decorator at all (for the deny-by-default test)."""

from django.http import HttpResponse
from django.urls import include, path


def undecorated(request):
    return HttpResponse("patient data")


urlpatterns = [
    path("undecorated/", undecorated),
    path("accounts/", include("ketaclinic.apps.accounts.urls")),
]
