"""API URLs of the commitments app: one URL per action, each package bringing its own."""

from django.urls import include, path

from commitments.catalogue import urls as catalogue_urls
from commitments.lifecycle import urls as lifecycle_urls
from commitments.obligations import urls as obligation_urls
from commitments.pledges import api as pledge_api
from commitments.portal import urls as portal_urls

app_name = "commitments_api"

urlpatterns = [
    path("", include(lifecycle_urls.api_urlpatterns)),
    path("", include(catalogue_urls.api_urlpatterns)),
    path("tenders/", pledge_api.TenderListApi.as_view(), name="tender-list"),
    path("tenders/create/", pledge_api.TenderCreateApi.as_view(), name="tender-create"),
    path("pledges/", pledge_api.PledgeListApi.as_view(), name="pledge-list"),
    path("pledges/create/", pledge_api.PledgeCreateApi.as_view(), name="pledge-create"),
    path("pledges/<int:pk>/", pledge_api.PledgeDetailApi.as_view(), name="pledge-detail"),
    path("pledges/<int:pk>/outcome/", pledge_api.PledgeOutcomeApi.as_view(), name="pledge-outcome"),
    path("pledges/<int:pk>/payment/", pledge_api.PledgePaymentApi.as_view(), name="pledge-payment"),
    path("obligations/", include(obligation_urls.api_urlpatterns)),
    path("", include(portal_urls.api_urlpatterns)),
]
