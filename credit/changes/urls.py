"""Record changes for calling systems, mounted under /api/v1/ by ``config.api_urls``."""

from django.urls import path

from credit.changes.api import ChangeFeedApi, ChangeSubscriptionApi

app_name = "credit_changes_api"

urlpatterns = [
    path("changes/subscription/", ChangeSubscriptionApi.as_view(), name="subscription"),
    path("changes/feed/", ChangeFeedApi.as_view(), name="feed"),
]
