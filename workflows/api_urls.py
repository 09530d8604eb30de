"""The workflows API's one namespace, ``workflows_api``, mounted at /api/v1/.

The verification API (signing, the regulators' tasks) and the repair and objection API share
this namespace, so one module includes both; each package keeps its own routes.
"""

from django.urls import path

from workflows import api_repair
from workflows.verification.urls import api_urlpatterns as verification_api_urlpatterns

app_name = "workflows_api"

urlpatterns = [
    *verification_api_urlpatterns,
    path(
        "credit/subjects/<str:code>/repair-eligibility/",
        api_repair.RepairEligibilityApi.as_view(),
        name="credit-repair-eligibility",
    ),
    path("credit/repairs/", api_repair.RepairListApi.as_view(), name="credit-repairs"),
    path("credit/objections/", api_repair.ObjectionListApi.as_view(), name="credit-objections"),
    path(
        "credit/office/repairs/",
        api_repair.OfficeRepairListApi.as_view(),
        name="credit-office-repairs",
    ),
    path(
        "credit/office/repairs/<int:pk>/decide/",
        api_repair.OfficeRepairDecideApi.as_view(),
        name="credit-office-repair-decide",
    ),
    path(
        "credit/office/objections/",
        api_repair.OfficeObjectionListApi.as_view(),
        name="credit-office-objections",
    ),
    path(
        "credit/office/objections/<int:pk>/decide/",
        api_repair.OfficeObjectionDecideApi.as_view(),
        name="credit-office-objection-decide",
    ),
    path(
        "credit/office/objections/<int:pk>/forward/",
        api_repair.OfficeObjectionForwardApi.as_view(),
        name="credit-office-objection-forward",
    ),
]
