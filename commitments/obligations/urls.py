"""URLs of obligations: the pages (``urlpatterns``, included under ``obligations/`` by
``commitments.urls``, in the ``commitments`` namespace) and the API (``api_urlpatterns``,
included under ``obligations/`` by ``commitments.urls``, in ``commitments_api``)."""

from django.urls import path

from commitments.obligations import api, pages

urlpatterns = [
    path("mine/", pages.ObligationListView.as_view(), name="obligations"),
    path("deliveries/", pages.DeliveryStatusView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/retry/", pages.DeliveryRetryView.as_view(), name="delivery_retry"),
    path("<int:pk>/", pages.ObligationDetailView.as_view(), name="obligation"),
    path("<int:pk>/report/", pages.ObligationReportView.as_view(), name="obligation_report"),
    path("<int:pk>/extend/", pages.ObligationExtendView.as_view(), name="obligation_extend"),
    path(
        "reports/<int:pk>/accept/",
        pages.PerformanceDecisionView.as_view(accept=True),
        name="performance_accept",
    ),
    path(
        "reports/<int:pk>/reject/",
        pages.PerformanceDecisionView.as_view(accept=False),
        name="performance_reject",
    ),
    path("evidence/<int:pk>/", pages.EvidenceDownloadView.as_view(), name="evidence"),
]

api_urlpatterns = [
    path("", api.ObligationListApi.as_view(), name="obligation-list"),
    path(
        "department/",
        api.ObligationDepartmentListApi.as_view(),
        name="obligation-department-list",
    ),
    path("<int:pk>/", api.ObligationDetailApi.as_view(), name="obligation-detail"),
    path("<int:pk>/report/", api.ObligationReportApi.as_view(), name="obligation-report"),
    path("<int:pk>/extend/", api.ObligationExtendApi.as_view(), name="obligation-extend"),
    path(
        "reports/<int:pk>/accept/",
        api.PerformanceAcceptApi.as_view(),
        name="obligation-report-accept",
    ),
    path(
        "reports/<int:pk>/reject/",
        api.PerformanceRejectApi.as_view(),
        name="obligation-report-reject",
    ),
]
