"""URLs of special credit reports (namespace ``reports``, mounted at /reports/) and their API
(``credit_api``, under /api/v1/)."""

from django.urls import path

from credit.reports import api, pages

app_name = "reports"

urlpatterns = [
    path("", pages.ReportsView.as_view(), name="list"),
    path("verify/", pages.ReportVerifyView.as_view(), name="verify"),
    path("verify/<str:reference>/", pages.ReportVerifyView.as_view(), name="verify-reference"),
    path("notices/<str:reference>.pdf", pages.RepairNoticePdfView.as_view(), name="notice-pdf"),
    path(
        "notices/verify/<str:reference>/<str:code>/",
        pages.RepairNoticeVerifyView.as_view(),
        name="notice-verify",
    ),
    path("<str:reference>.pdf", pages.ReportPdfView.as_view(), name="pdf"),
]

api_urlpatterns = [
    path("credit/reports/", api.ReportListApi.as_view(), name="credit-reports"),
    path(
        "credit/reports/<str:reference>/verify/",
        api.ReportVerifyApi.as_view(),
        name="credit-report-verify",
    ),
]
