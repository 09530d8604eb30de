"""Bidding pledge pages, mounted at /pledges/: the bidder's and the tendering authority's."""

from django.urls import path

from commitments.pledges import pages

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
