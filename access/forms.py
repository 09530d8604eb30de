"""The form that asks for the password again before a signature."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
