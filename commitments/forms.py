"""Forms of the applicant pages. They parse input only; every rule lives in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError
from directory.models import Region, Subject


def add_commitment_error(form: forms.Form, error: CommitmentError) -> None:
    """Show a service refusal on the fields it names, or above the form when none fits."""
    placed = False
    for name, messages in error.fields.items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, error.message)


class SubjectRegisterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of subject"),
        choices=Subject.Kind.choices,
        widget=forms.RadioSelect,
        initial=Subject.Kind.COMPANY,
    )
    code = forms.CharField(
        label=_("Unified social credit code or resident identity number"),
        max_length=40,
        help_text=_("18 characters. Spaces and full-width characters are accepted."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The registered name of the company, or the person's name."),
    )


class NoticeAcknowledgeForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_(
            "I have read this notice, understand the conditions and the liability for a "
            "false commitment, and accept verification by the authority."
        ),
        error_messages={"required": _("Tick the box to confirm you have read the notice.")},
    )


class CommitmentFieldsForm(forms.Form):
    """The fields a template asks for, built from ``template.fields`` at run time."""

    def __init__(self, *args, template: CommitmentTemplate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        for spec in template.fields:
            max_length = int(spec.get("max_length", 500))
            widget = forms.Textarea(attrs={"rows": 3}) if max_length > 200 else forms.TextInput
            self.fields[f"field_{spec['name']}"] = forms.CharField(
                label=spec.get("label") or spec["name"],
                required=bool(spec.get("required", True)),
                max_length=max_length,
                widget=widget,
            )

    def field_values(self) -> dict[str, str]:
        return {
            spec["name"]: self.cleaned_data.get(f"field_{spec['name']}", "")
            for spec in self.template.fields
        }

    def add_commitment_error(self, error: CommitmentError) -> None:
        """Map the service's field names (template field names) onto this form's names."""
        prefixed = {
            (f"field_{name}" if f"field_{name}" in self.fields else name): messages
            for name, messages in error.fields.items()
        }
        add_commitment_error(self, CommitmentError(error.code, error.message, fields=prefixed))


class CommitmentCreateForm(CommitmentFieldsForm):
    """Which subject commits, where the matter is handled, and the template's fields."""

    def __init__(self, *args, template: CommitmentTemplate, subjects, **kwargs) -> None:
        super().__init__(*args, template=template, **kwargs)
        fields = {
            "subject": forms.ModelChoiceField(
                label=_("Committing subject"),
                queryset=subjects,
                empty_label=None,
            ),
            "region": forms.ModelChoiceField(
                label=_("Region where the matter is handled"),
                queryset=Region.objects.order_by("code"),
                required=False,
                help_text=_("Leave empty to use the subject's registered region."),
            ),
        }
        fields.update(self.fields)
        self.fields = fields


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
