"""Forms of the catalogue's pages. They parse input only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NoticeAcknowledgeForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_(
            "I have read this notice, understand the conditions and the liability for a "
            "false commitment, and accept verification by the authority."
        ),
        error_messages={"required": _("Tick the box to confirm you have read the notice.")},
    )
