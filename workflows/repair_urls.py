"""Credit repair and objection cases for department staff (mounted at /regulator/credit/)."""

from django.urls import path

from workflows import repair_views

app_name = "repair_office"
urlpatterns = [
    path("", repair_views.CreditCasesView.as_view(), name="list"),
    path("repair/<int:pk>/", repair_views.RepairCaseView.as_view(), name="repair"),
    path(
        "repair/<int:pk>/proof/<int:proof_pk>/",
        repair_views.RepairProofView.as_view(),
        name="proof",
    ),
    path("objection/<int:pk>/", repair_views.ObjectionCaseView.as_view(), name="objection"),
    path("statistics/", repair_views.StatisticsView.as_view(), name="statistics"),
    path("statistics.csv", repair_views.StatisticsCsvView.as_view(), name="statistics-csv"),
]
