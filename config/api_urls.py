"""The REST API (version 1): one URL per action, token authentication for other systems."""

from django.urls import include, path

from commitments import urls as commitments_urls
from credit.reports import urls as reports_urls
from workflows import urls as workflows_urls

urlpatterns = [
    # "Check every case" first: the hot path of other systems (see config.urls).
    path("", include("credit.check.urls")),
    path("", include((commitments_urls.api_urlpatterns, "commitments_api"))),
    path("", include((workflows_urls.api_urlpatterns, "workflows_api"))),
    path("", include("credit.changes.urls")),
    path("", include("credit.opendata.urls")),  # the open data feed, public
    path("", include((reports_urls.api_urlpatterns, "reports_api"))),
]
