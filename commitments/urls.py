"""The applicant's pages, mounted at /commitments/ (signing: ``workflows.verification.urls``)."""

from django.urls import path

from commitments import obligation_views, views

app_name = "commitments"
urlpatterns = [
    path("", views.CommitmentListView.as_view(), name="list"),
    path("subjects/", views.SubjectListView.as_view(), name="subjects"),
    path("subjects/new/", views.SubjectRegisterView.as_view(), name="subject_register"),
    path("templates/", views.TemplateListView.as_view(), name="templates"),
    path("templates/<int:pk>/notice/", views.TemplateNoticeView.as_view(), name="notice"),
    path("templates/<int:pk>/new/", views.CommitmentCreateView.as_view(), name="create"),
    path("<str:reference>/", views.CommitmentDetailView.as_view(), name="detail"),
    path("<str:reference>/edit/", views.CommitmentEditView.as_view(), name="edit"),
    path("<str:reference>/withdraw/", views.CommitmentWithdrawView.as_view(), name="withdraw"),
    path("<str:reference>/preview.pdf", views.CommitmentPreviewView.as_view(), name="preview"),
    path("<str:reference>/document.pdf", views.CommitmentDownloadView.as_view(), name="download"),
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
