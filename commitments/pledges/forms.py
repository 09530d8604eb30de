"""The forms of the pledge pages: announce a tender, pledge for one (ADR 0017's manner).

Each message says what to enter; the ids are the field names (``auto_id="%s"``), so the error
summary's links and the browser tests find the same fields as before. The services keep the
rules (the deadline ahead, a positive deposit, one pledge per tender); their refusals are shown
on the field they name (``directory.errors.refusal_into_form``).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class TenderForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        label=_("Tendering authority"),
        error_messages={
            "required": _("Choose your department."),
            "invalid_choice": _("Choose your department."),
        },
    )
    reference = forms.CharField(
        max_length=50,
        label=_("Tender reference"),
        error_messages={"required": _("Enter the tender reference as printed on its notice.")},
    )
    title = forms.CharField(
        max_length=300,
        label=_("Title"),
        error_messages={"required": _("Enter the tender's title.")},
    )
    bid_deadline = forms.DateTimeField(
        label=_("Bid deadline"),
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter the bid deadline: a date and a time (Beijing time)."),
            "invalid": _(
                "Enter the bid deadline as a date and a time, for example 2027-01-15 17:00."
            ),
        },
    )
    deposit_amount = forms.DecimalField(
        label=_("Bid deposit replaced (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Enter the bid deposit in yuan, for example 50000."),
            "invalid": _("Enter the bid deposit as an amount in yuan, for example 50000."),
            "min_value": _("Give the bid deposit as a positive amount."),
            "max_decimal_places": _("Give the bid deposit to the fen at most (two decimals)."),
            "max_digits": _("The bid deposit is too large."),
            "max_whole_digits": _("The bid deposit is too large."),
        },
    )

    def __init__(self, *args, departments, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class PledgeForm(forms.Form):
    subject = forms.ChoiceField(
        label=_("Bidder"),
        error_messages={
            "required": _("Choose the company that bids."),
            "invalid_choice": _("Choose a company you represent."),
        },
    )
    tender = forms.ChoiceField(
        label=_("Tender"),
        widget=forms.Select(attrs={"data-testid": "tender-select"}),
        error_messages={
            "required": _("Choose the tender you bid for."),
            "invalid_choice": _("Choose a tender that takes bids."),
        },
    )

    def __init__(self, *args, subjects, tenders, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [
            (s.code, f"{s.name} ({s.display_code})") for s in subjects
        ]
        self.fields["tender"].choices = [("", _("Choose a tender…"))] + [
            (t.reference, f"{t.reference} · {t.title[:24]}") for t in tenders
        ]
