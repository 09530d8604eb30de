"""Public verification and the register, mounted at the site root (``verify/``, ``register/``)."""

from django.urls import path

from commitments.portal import pages as public_views

app_name = "public"

urlpatterns = [
    path("verify/", public_views.VerifyView.as_view(), name="verify"),
    path("verify/<str:reference>/", public_views.verify_reference, name="verify-reference"),
    path(
        "verify/<str:reference>/certificate.pdf",
        public_views.evidence_certificate,
        name="certificate",
    ),
    path("verify/<str:reference>/receipts.json", public_views.receipts, name="receipts"),
    path("register/checkpoints/", public_views.checkpoints, name="checkpoints"),
    path("register/consistency", public_views.consistency, name="consistency"),
    path("register/proof", public_views.inclusion, name="inclusion"),
    path("register/verify/", public_views.ReceiptVerifyView.as_view(), name="receipt-verify"),
]
