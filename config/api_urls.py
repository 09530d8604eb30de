"""The REST API (version 1): one URL per action, token authentication for other systems."""

from django.urls import include, path

urlpatterns = [
    path("", include("commitments.api_urls")),
    path("", include("workflows.api_urls")),
    path("", include("credit.check.urls")),
]
