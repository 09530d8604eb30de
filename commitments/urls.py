"""The applicant's pages, mounted at /commitments/ (signing is in ``workflows.applicant_urls``).

Each package brings its own pages; the catalogue's come first so that ``templates/`` is never
read as a commitment's reference.
"""

from django.urls import include, path

from commitments import obligation_views

app_name = "commitments"
urlpatterns = [
    path("", include("commitments.catalogue.urls")),
    path("", include("commitments.lifecycle.urls")),
]

# Obligations after signing (``obligation_views``); two segments, so no reference collides.
urlpatterns += [
    path("obligations/mine/", obligation_views.ObligationListView.as_view(), name="obligations"),
    path(
        "obligations/deliveries/",
        obligation_views.DeliveryStatusView.as_view(),
        name="deliveries",
    ),
    path(
        "obligations/deliveries/<int:pk>/retry/",
        obligation_views.DeliveryRetryView.as_view(),
        name="delivery_retry",
    ),
    path(
        "obligations/<int:pk>/", obligation_views.ObligationDetailView.as_view(), name="obligation"
    ),
    path(
        "obligations/<int:pk>/report/",
        obligation_views.ObligationReportView.as_view(),
        name="obligation_report",
    ),
    path(
        "obligations/<int:pk>/extend/",
        obligation_views.ObligationExtendView.as_view(),
        name="obligation_extend",
    ),
    path(
        "obligations/reports/<int:pk>/accept/",
        obligation_views.PerformanceDecisionView.as_view(accept=True),
        name="performance_accept",
    ),
    path(
        "obligations/reports/<int:pk>/reject/",
        obligation_views.PerformanceDecisionView.as_view(accept=False),
        name="performance_reject",
    ),
    path(
        "obligations/evidence/<int:pk>/",
        obligation_views.EvidenceDownloadView.as_view(),
        name="evidence",
    ),
]
