"""URLs of the fulfilment figures: officers' page and CSV (under /regulator/), the portal's
city figures (/portal/figures/) and the API (/api/v1/figures/)."""

from django.urls import path

from workflows.figures import api, pages

office_urlpatterns = [
    path("figures/", pages.FiguresView.as_view(), name="figures"),
    path("figures.csv", pages.FiguresCsvView.as_view(), name="figures-csv"),
]
public_urlpatterns = [
    path("figures/", pages.PublicFiguresView.as_view(), name="figures"),
]
api_urlpatterns = [
    path("figures/", api.FiguresApi.as_view(), name="figures"),
]
