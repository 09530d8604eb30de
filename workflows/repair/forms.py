"""The subject's repair application form (ADR 0017's manner): what to write, which files.

The ids are the field names (``auto_id="%s"``) so the error summary links to them. The rules
(eligibility, the kinds and sizes of proofs, the statement's length) stay in
``repair_submit``; its refusals are shown on the field they name.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.forms import MultipleFileField


class RepairApplyForm(forms.Form):
    statement = forms.CharField(
        label=_("How the act was corrected and every obligation performed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _(
                "Describe how the act was corrected and how every obligation was performed."
            ),
            "max_length": _("Keep the statement within %(limit_value)d characters."),
        },
    )
    proofs = MultipleFileField(
        label=_("Proof of performance (PDF, JPEG or PNG, at most 10 MB each)"),
        required=False,
        attrs={"accept": ".pdf,.jpg,.jpeg,.png"},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
