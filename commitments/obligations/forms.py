"""Forms of the obligation pages: a performance report with evidence files, a deadline
extension (also on the verification task page) and an officer's decision on a report."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from commitments.obligations.services.extensions import MAX_EXTENSION_WORKING_DAYS
from directory.forms import DayField, MultipleFileField


class PerformanceReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What was done"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(
        label=gettext_lazy("Evidence (PDF, PNG or JPEG)"),
        required=False,
        attrs={"accept": ".pdf,.png,.jpg,.jpeg"},
    )


class DeadlineExtendForm(forms.Form):
    """A new due date, or a number of working days added to the current one."""

    new_due_date = DayField(
        label=gettext_lazy("New due date"),
        required=False,
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("or working days more"),
        required=False,
        min_value=1,
        max_value=MAX_EXTENSION_WORKING_DAYS,
        help_text=gettext_lazy("Counted on the official calendar from the current due date."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why the deadline is extended.")},
    )

    def extension(self) -> dict:
        """The service's arguments: the date or the working days, and the reason."""
        data = self.cleaned_data
        return {
            "new_due_date": data.get("new_due_date"),
            "working_days": data.get("working_days"),
            "reason": data["reason"],
        }


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
