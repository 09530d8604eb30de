"""URLs of bidding pledges.

- ``urlpatterns``: the bidder's and the tendering authority's pages, mounted at /pledges/;
- ``api_urlpatterns``: the API, included by ``commitments.urls`` (namespace ``commitments_api``).
"""

from django.urls import path

from commitments.pledges import api, pages

app_name = "pledges"
urlpatterns = [
    path("", pages.PledgeListView.as_view(), name="list"),
    path("new/", pages.PledgeCreateView.as_view(), name="create"),
    path("sign/<str:reference>/", pages.PledgeSignView.as_view(), name="sign"),
    path("<int:pk>/", pages.PledgeDetailView.as_view(), name="detail"),
    path("office/", pages.PledgeOfficeListView.as_view(), name="office"),
    path("office/tenders/new/", pages.TenderCreateView.as_view(), name="tender_create"),
    path("office/<int:pk>/", pages.PledgeOfficeView.as_view(), name="office_pledge"),
    path("office/<int:pk>/outcome/", pages.PledgeOutcomeView.as_view(), name="outcome"),
    path("office/<int:pk>/payment/", pages.PledgePaymentView.as_view(), name="payment"),
]

api_urlpatterns = [
    path("tenders/", api.TenderListApi.as_view(), name="tender-list"),
    path("tenders/create/", api.TenderCreateApi.as_view(), name="tender-create"),
    path("pledges/", api.PledgeListApi.as_view(), name="pledge-list"),
    path("pledges/create/", api.PledgeCreateApi.as_view(), name="pledge-create"),
    path("pledges/<int:pk>/", api.PledgeDetailApi.as_view(), name="pledge-detail"),
    path("pledges/<int:pk>/outcome/", api.PledgeOutcomeApi.as_view(), name="pledge-outcome"),
    path("pledges/<int:pk>/payment/", api.PledgePaymentApi.as_view(), name="pledge-payment"),
]
