"""The open data feed, under /api/v1/ by ``config.api_urls`` (namespace ``opendata_api``)."""

from django.urls import path

from credit.opendata.api import OpenDataCertificateApi, OpenDataCsvApi, OpenDataFeedApi

app_name = "opendata_api"

urlpatterns = [
    path("open-data/feed.json", OpenDataFeedApi.as_view(), name="feed"),
    path("open-data/events.csv", OpenDataCsvApi.as_view(), name="csv"),
    path("open-data/certificate.pem", OpenDataCertificateApi.as_view(), name="certificate"),
]
