"""Bidding pledge pages, mounted at /pledges/: the bidder's and the tendering authority's."""

from django.urls import path

from commitments import pledge_pages

app_name = "pledges"
urlpatterns = [
    path("", pledge_pages.PledgeListView.as_view(), name="list"),
    path("new/", pledge_pages.PledgeCreateView.as_view(), name="create"),
    path("sign/<str:reference>/", pledge_pages.PledgeSignView.as_view(), name="sign"),
    path("<int:pk>/", pledge_pages.PledgeDetailView.as_view(), name="detail"),
    path("office/", pledge_pages.PledgeOfficeListView.as_view(), name="office"),
    path("office/tenders/new/", pledge_pages.TenderCreateView.as_view(), name="tender_create"),
    path("office/<int:pk>/", pledge_pages.PledgeOfficeView.as_view(), name="office_pledge"),
    path("office/<int:pk>/outcome/", pledge_pages.PledgeOutcomeView.as_view(), name="outcome"),
    path("office/<int:pk>/payment/", pledge_pages.PledgePaymentView.as_view(), name="payment"),
]
