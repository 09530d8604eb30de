"""Public signing infrastructure: the timestamp authority, the CRL and the root certificate."""

from django.urls import path

from signing import views

app_name = "signing"

urlpatterns = [
    path("tsa/", views.TimestampView.as_view(), name="tsa"),
    path("signing/ca.crl", views.crl_view, name="crl"),
    path("signing/ca.crt", views.root_certificate_view, name="root-certificate"),
]
