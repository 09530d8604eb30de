"""API URLs of the commitment domain: one URL per action."""

from django.urls import path

from commitments import api
from commitments.api import obligations as obligation_api
from commitments.pledges import api as pledge_api
from commitments.portal import api as portal_api

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
    path("obligations/", obligation_api.ObligationListApi.as_view(), name="obligation-list"),
    path(
        "obligations/department/",
        obligation_api.ObligationDepartmentListApi.as_view(),
        name="obligation-department-list",
    ),
    path(
        "obligations/<int:pk>/",
        obligation_api.ObligationDetailApi.as_view(),
        name="obligation-detail",
    ),
    path(
        "obligations/<int:pk>/report/",
        obligation_api.ObligationReportApi.as_view(),
        name="obligation-report",
    ),
    path(
        "obligations/<int:pk>/extend/",
        obligation_api.ObligationExtendApi.as_view(),
        name="obligation-extend",
    ),
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
