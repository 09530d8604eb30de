"""Public signing infrastructure: the timestamp authority, the CRL and the root certificate."""

from django.urls import path

from signing import pages

app_name = "signing"

urlpatterns = [
    path("tsa/", pages.TimestampView.as_view(), name="tsa"),
    path("signing/ca.crl", pages.crl_view, name="crl"),
    path("signing/ca.crt", pages.root_certificate_view, name="root-certificate"),
]
