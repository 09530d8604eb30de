"""URLs of repair and objections: the subject's pages (namespace ``repair``, mounted at
/credit/), the officers' pages (``repair_office``, at /regulator/credit/) and the API
(inside ``workflows_api``, at /api/v1/)."""

from django.urls import path

from workflows.repair import api
from workflows.repair.pages import breaches, deliveries, office, statistics, subject

subject_urlpatterns = [
    path("<str:code>/repair/", subject.RepairOverviewView.as_view(), name="overview"),
    path("<str:code>/repair/<int:breach_id>/", subject.RepairApplyView.as_view(), name="repair"),
    path(
        "<str:code>/objection/<int:breach_id>/",
        subject.ObjectionView.as_view(),
        name="objection",
    ),
]
subject_urls = (subject_urlpatterns, "repair")

office_urlpatterns = [
    path("", office.CreditCasesView.as_view(), name="list"),
    path("repair/<int:pk>/", office.RepairCaseView.as_view(), name="repair"),
    path(
        "repair/<int:pk>/proof/<int:proof_pk>/",
        office.RepairProofView.as_view(),
        name="proof",
    ),
    path("objection/<int:pk>/", office.ObjectionCaseView.as_view(), name="objection"),
    path("breaches/", breaches.BreachListView.as_view(), name="breaches"),
    path("deliveries/", deliveries.FailedDeliveriesView.as_view(), name="deliveries"),
    path(
        "deliveries/<int:pk>/resend/",
        deliveries.ResendDeliveryView.as_view(),
        name="delivery-resend",
    ),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("statistics.csv", statistics.StatisticsCsvView.as_view(), name="statistics-csv"),
]
office_urls = (office_urlpatterns, "repair_office")

api_urlpatterns = [
    path(
        "credit/subjects/<str:code>/repair-eligibility/",
        api.RepairEligibilityApi.as_view(),
        name="credit-repair-eligibility",
    ),
    path("credit/repairs/", api.RepairListApi.as_view(), name="credit-repairs"),
    path("credit/objections/", api.ObjectionListApi.as_view(), name="credit-objections"),
    path(
        "credit/office/repairs/",
        api.OfficeRepairListApi.as_view(),
        name="credit-office-repairs",
    ),
    path(
        "credit/office/repairs/<int:pk>/decide/",
        api.OfficeRepairDecideApi.as_view(),
        name="credit-office-repair-decide",
    ),
    path(
        "credit/office/objections/",
        api.OfficeObjectionListApi.as_view(),
        name="credit-office-objections",
    ),
    path(
        "credit/office/objections/<int:pk>/decide/",
        api.OfficeObjectionDecideApi.as_view(),
        name="credit-office-objection-decide",
    ),
    path(
        "credit/office/objections/<int:pk>/forward/",
        api.OfficeObjectionForwardApi.as_view(),
        name="credit-office-objection-forward",
    ),
]
