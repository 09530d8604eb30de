"""Forms of the applicant pages, and uploads read with a limit. They parse input only; every
rule lives in ``services``."""

from __future__ import annotations

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from commitments.catalogue.models import CommitmentTemplate, field_label
from commitments.lifecycle.services.signatures import upload_refused
from directory.errors import DomainError
from directory.forms import DayField
from directory.models import Matter, Region, Subject
from directory.representation.models import Representation
from signing.render.glyphs import validate_drawable


def add_commitment_error(form: forms.Form, error: DomainError) -> None:
    """Show a service refusal on the fields it names, or above the form when none fits."""
    placed = False
    for name, messages in error.fields.items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, error.message)


SAY_WHY = {"required": _("Give the reason: it is recorded and shown to the people concerned.")}
ENTER_CODE = _("Enter the 18-character unified social credit code or resident identity number.")


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
        error_messages={"required": ENTER_CODE},
        help_text=_("18 characters. Spaces and full-width characters are accepted."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The registered name of the company, or the person's name."),
        error_messages={"required": _("Enter the registered name of the company or the person.")},
        validators=[validate_drawable],
    )


class CommitmentFieldsForm(forms.Form):
    """The fields a template asks for, built from ``template.fields`` at run time."""

    def __init__(self, *args, template: CommitmentTemplate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        for spec in template.fields:
            max_length = int(spec.get("max_length", 500))
            widget = forms.Textarea(attrs={"rows": 3}) if max_length > 200 else forms.TextInput
            label = field_label(spec)
            self.fields[f"field_{spec['name']}"] = forms.CharField(
                label=label,
                error_messages={"required": _("Fill in “%(label)s”.") % {"label": label}},
                required=bool(spec.get("required", True)),
                max_length=max_length,
                widget=widget,
                validators=[validate_drawable],
            )

    def field_values(self) -> dict[str, str]:
        return {
            spec["name"]: self.cleaned_data.get(f"field_{spec['name']}", "")
            for spec in self.template.fields
        }

    def add_commitment_error(self, error: DomainError) -> None:
        """Map the service's field names (template field names) onto this form's names."""
        prefixed = {
            (f"field_{name}" if f"field_{name}" in self.fields else name): messages
            for name, messages in error.fields.items()
        }
        add_commitment_error(self, DomainError(error.code, error.message, fields=prefixed))


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
                empty_label=_("The subject's registered region"),
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


class WithdrawSignedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw?"),
        max_length=1000,
        required=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Uploads ----------------------------------------------------------------------------------


class LimitedUploadHandler(FileUploadHandler):
    """Count uploaded bytes as they stream in; stop the upload past the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        """Pass the chunk on, or stop the whole upload once past the limit."""
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """Leave the file to the next handler."""
        return None


def read_upload(request: HttpRequest, field: str, limit: int) -> bytes | None:
    """Return the uploaded file's bytes (None without one), limited while it streams in.

    Raises a ``CommitmentError`` (``upload_refused("too_large")``) for a file, or a declared
    body, over ``limit`` bytes: nothing past the limit is read into memory or onto disk.
    """
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit + 64 * 1024:  # room for the multipart envelope and other fields
        raise upload_refused("too_large")
    limiter = LimitedUploadHandler(request, limit)
    request.upload_handlers.insert(0, limiter)
    upload = request.FILES.get(field)
    if limiter.exceeded:
        raise upload_refused("too_large")
    if upload is None:
        return None
    if upload.size > limit:
        raise upload_refused("too_large")
    return upload.read()


# Representation: letters, agent requests and grants, reviews ---------------------------------


class LetterUploadForm(forms.Form):
    """An authorisation letter for an officer's review; the file is read with its limit."""

    code = forms.CharField(
        label=_("Unified social credit code or resident identity number"),
        max_length=40,
        error_messages={"required": ENTER_CODE},
    )
    role = forms.ChoiceField(
        label=_("You act as"),
        choices=Representation.Role.choices,
        initial=Representation.Role.LEGAL_REPRESENTATIVE,
        widget=forms.RadioSelect,
    )


class AgentRequestForm(forms.Form):
    code = forms.CharField(
        label=_("Unified social credit code or resident identity number"),
        max_length=40,
        error_messages={"required": ENTER_CODE},
    )
    reason = forms.CharField(
        label=_("Why you ask to act for it"),
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Say why you ask to act for the subject.")},
    )


class AgentGrantForm(forms.Form):
    """The legal representative authorises an agent for matters until a date."""

    username = forms.CharField(
        label=_("The agent's user name"),
        max_length=150,
        error_messages={"required": _("Enter the user name the agent logs in with.")},
    )
    matters = forms.ModelMultipleChoiceField(
        label=_("Matters the agent may act on"),
        queryset=Matter.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one matter the agent may act on.")},
    )
    valid_until = DayField(
        label=_("Authorised until (inclusive)"),
        error_messages={
            "required": _("Enter the last day of the authorisation."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        error_messages=SAY_WHY,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        error_messages=SAY_WHY,
    )


class LetterReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to approve or refuse the letter.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        error_messages=SAY_WHY,
    )
