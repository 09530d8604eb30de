""" "Check every case" and its reference view, mounted under /api/v1/ by ``config.api_urls``."""

from django.urls import path

from credit.check.api import CheckApi, PingApi, credit_check, described_by, ping

app_name = "credit_api"

urlpatterns = [
    path("check/<str:code>/", described_by(credit_check, CheckApi), name="check"),
    path("ping/", described_by(ping, PingApi), name="ping"),
]
