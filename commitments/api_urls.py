"""API URLs of the commitment domain: one URL per action."""

from django.urls import include, path

from commitments import api
from commitments.api import pledges as pledge_api
from commitments.api import portal as portal_api
from commitments.obligations import urls as obligation_urls

app_name = "commitments_api"

urlpatterns = [
    path("subjects/", api.SubjectListApi.as_view(), name="subject-list"),
    path("subjects/register/", api.SubjectRegisterApi.as_view(), name="subject-register"),
    path("templates/", api.TemplateListApi.as_view(), name="template-list"),
    path("commitments/", api.CommitmentListApi.as_view(), name="commitment-list"),
    path("commitments/create/", api.CommitmentCreateApi.as_view(), name="commitment-create"),
    path(
        "commitments/<str:reference>/", api.CommitmentDetailApi.as_view(), name="commitment-detail"
    ),
    path(
        "commitments/<str:reference>/preview/",
        api.CommitmentPreviewApi.as_view(),
        name="commitment-preview",
    ),
    path(
        "commitments/<str:reference>/document/",
        api.CommitmentDocumentApi.as_view(),
        name="commitment-document",
    ),
    path(
        "commitments/<str:reference>/withdraw/",
        api.CommitmentWithdrawApi.as_view(),
        name="commitment-withdraw",
    ),
    path("tenders/", pledge_api.TenderListApi.as_view(), name="tender-list"),
    path("tenders/create/", pledge_api.TenderCreateApi.as_view(), name="tender-create"),
    path("pledges/", pledge_api.PledgeListApi.as_view(), name="pledge-list"),
    path("pledges/create/", pledge_api.PledgeCreateApi.as_view(), name="pledge-create"),
    path("pledges/<int:pk>/", pledge_api.PledgeDetailApi.as_view(), name="pledge-detail"),
    path("pledges/<int:pk>/outcome/", pledge_api.PledgeOutcomeApi.as_view(), name="pledge-outcome"),
    path("pledges/<int:pk>/payment/", pledge_api.PledgePaymentApi.as_view(), name="pledge-payment"),
    path("obligations/", include(obligation_urls.api_urlpatterns)),
    path(
        "portal/commitments/",
        portal_api.PortalCommitmentListApi.as_view(),
        name="portal-commitments",
    ),
    path(
        "portal/lists/<str:kind>/",
        portal_api.PortalListEntryListApi.as_view(),
        name="portal-list",
    ),
    path(
        "portal/subjects/<str:code>/",
        portal_api.PortalSubjectApi.as_view(),
        name="portal-subject",
    ),
]
