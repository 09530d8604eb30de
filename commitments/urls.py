"""The applicant's pages, mounted at /commitments/ (signing is in ``workflows.applicant_urls``)."""

from django.urls import include, path

from commitments import views
from commitments.obligations import urls as obligation_urls

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

# Obligations after signing; two segments, so no reference collides.
urlpatterns += [path("obligations/", include(obligation_urls.urlpatterns))]
