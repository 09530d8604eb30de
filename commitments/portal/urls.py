"""URLs of the public pages and their API.

- ``urlpatterns``: the portal, mounted at /portal/ (namespace ``portal``);
- ``verification_urlpatterns``: public verification and the register, mounted at the site
  root (``verify/``, ``register/``; namespace ``public``);
- ``api_urlpatterns``: the portal's read-only API, included by ``commitments.urls``.
"""

from django.urls import path

from commitments.portal import api, pages
from commitments.portal.pages import commitments as commitment_pages

urlpatterns = [
    path("", pages.PortalHomeView.as_view(), name="home"),
    path("commitments/", commitment_pages.PortalCommitmentsView.as_view(), name="commitments"),
    path(
        "commitments/<str:reference>/",
        commitment_pages.PortalCommitmentView.as_view(),
        name="commitment",
    ),
    path("lists/<str:kind>/", pages.PortalListView.as_view(), name="list"),
    path("subjects/<str:code>/", pages.PortalSubjectView.as_view(), name="subject"),
]

verification_urlpatterns = [
    path("verify/", pages.VerifyView.as_view(), name="verify"),
    path("verify/<str:reference>/", pages.verify_reference, name="verify-reference"),
    path(
        "verify/<str:reference>/certificate.pdf",
        pages.evidence_certificate,
        name="certificate",
    ),
    path("verify/<str:reference>/receipts.json", pages.receipts, name="receipts"),
    path("register/checkpoints/", pages.checkpoints, name="checkpoints"),
    path("register/consistency", pages.consistency, name="consistency"),
    path("register/proof", pages.inclusion, name="inclusion"),
    path("register/verify/", pages.ReceiptVerifyView.as_view(), name="receipt-verify"),
]

api_urlpatterns = [
    path(
        "portal/commitments/",
        api.PortalCommitmentListApi.as_view(),
        name="portal-commitments",
    ),
    path(
        "portal/commitments/<str:reference>/",
        api.PortalCommitmentApi.as_view(),
        name="portal-commitment",
    ),
    path(
        "portal/lists/<str:kind>/",
        api.PortalListEntryListApi.as_view(),
        name="portal-list",
    ),
    path(
        "portal/subjects/<str:code>/",
        api.PortalSubjectApi.as_view(),
        name="portal-subject",
    ),
]
