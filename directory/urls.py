"""Logging in through the identity provider (namespace ``oidc``)."""

from django.urls import path

from directory import pages

app_name = "oidc"
urlpatterns = [
    path("login/", pages.IdentityProviderLoginView.as_view(), name="login"),
    path("callback/", pages.IdentityProviderCallbackView.as_view(), name="callback"),
]
