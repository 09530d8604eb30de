"""URLs of access (namespace ``access``, mounted at /accounts/)."""

from django.urls import path

from access.pages import ReauthenticateView

app_name = "access"

urlpatterns = [
    path("reauthenticate/", ReauthenticateView.as_view(), name="reauthenticate"),
]
