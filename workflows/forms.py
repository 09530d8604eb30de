"""Parse the verification form; the rules (a breach needs its reason) live in the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import Verification, VerificationMethod


class VerificationForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Verification method"),
        choices=VerificationMethod.choices,
        widget=forms.Select(attrs={"data-testid": "method"}),
    )
    finding = forms.ChoiceField(
        label=_("Finding"), choices=Verification.Finding.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "reason"}),
        help_text=_("Required when the commitment is breached: what was found and where."),
    )
