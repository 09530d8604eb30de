"""Parse the verification form; the rules (a breach needs its reason) live in the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.catalogue.models import VerificationMethod
from commitments.lifecycle.models import Verification
from directory.forms import DateEntry, DayField, MultipleFileField


class VerificationForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Verification method"),
        choices=VerificationMethod.choices,
        widget=forms.Select(attrs={"data-testid": "method"}),
    )
    finding = forms.ChoiceField(
        label=_("Finding"),
        choices=Verification.Finding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the commitment was kept or breached.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "reason"}),
        help_text=_("Required when the commitment is breached: what was found and where."),
    )


class EvidenceForm(forms.Form):
    """How the finding was established (goes with ``VerificationForm``)."""

    evidence_summary = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "evidence-summary"}),
        help_text=_(
            "What was checked: documents, the shared data source queried, the publicity "
            "notice, or what was seen on site."
        ),
    )
    inspected_on = DayField(
        label=_("Inspection date"),
        required=False,
        widget=DateEntry(attrs={"data-testid": "inspected-on"}),
    )
    inspection_location = forms.CharField(
        label=_("Inspection location"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"data-testid": "inspection-location"}),
    )
    inspectors = forms.CharField(
        label=_("Inspectors"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"data-testid": "inspectors"}),
    )
    evidence_files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        attrs={"data-testid": "evidence"},
        help_text=_("PDF, PNG or JPEG, at most 10 MB each and 10 files."),
    )


class QueueFilterForm(forms.Form):
    """The list filters; every field optional, unknown values are ignored."""

    DUE_CHOICES = [
        ("", _("Any due date")),
        ("overdue", _("Overdue")),
        ("today", _("Due today or earlier")),
        ("week", _("Due within 7 days")),
    ]
    STATUS_CHOICES = [
        ("", _("Any status")),
        ("queued", _("In the queue")),
        ("assigned", _("Assigned")),
        ("escalated", _("Escalated")),
        ("spot_check", _("On-site spot check")),
    ]
    GRADE_CHOICES = [("", _("Any risk grade")), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Reference, code or name"), "data-testid": "search"}
        ),
    )
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    matter = forms.TypedChoiceField(label=_("Matter"), required=False, coerce=int, empty_value=None)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_CHOICES)
    due_from = DayField(label=_("Due from"), required=False)
    due_to = DayField(label=_("Due to"), required=False)
    grade = forms.ChoiceField(label=_("Risk grade"), required=False, choices=GRADE_CHOICES)
    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("Any method")), *VerificationMethod.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Due first")),
            ("-due", _("Due last")),
            ("-received", _("Newest first")),
            ("received", _("Oldest first")),
            ("subject", _("Subject A to Z")),
            ("-subject", _("Subject Z to A")),
            ("matter", _("Commitment A to Z")),
            ("-matter", _("Commitment Z to A")),
        ],
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All my departments"))] + [
            (d.pk, d.name) for d in choices["departments"]
        ]
        self.fields["matter"].choices = [("", _("Any matter"))] + [
            (m.pk, m.name) for m in choices["matters"]
        ]
        self.fields["region"].choices = [("", _("Any region"))] + [
            (r.pk, str(r)) for r in choices["regions"]
        ]


class ReassignForm(forms.Form):
    to = forms.TypedChoiceField(
        label=_("Give to"), coerce=int, widget=forms.Select(attrs={"data-testid": "reassign-to"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"data-testid": "reassign-reason"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        seen = {}
        for membership in members:
            seen.setdefault(
                membership.user_id,
                f"{membership.user.get_username()} ({membership.get_role_display()})",
            )
        self.fields["to"].choices = [("", _("Choose a colleague…"))] + list(seen.items())


class BulkReassignForm(ReassignForm):
    tasks = forms.TypedMultipleChoiceField(label=_("Tasks"), coerce=int)

    def __init__(self, *args, members, task_ids, **kwargs):
        super().__init__(*args, members=members, **kwargs)
        self.fields["tasks"].choices = [(pk, pk) for pk in task_ids]


class DelegationForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    delegator = forms.TypedChoiceField(
        label=_("Absent regulator"),
        coerce=int,
        widget=forms.Select(attrs={"data-testid": "delegator"}),
    )
    delegate = forms.TypedChoiceField(
        label=_("Delegate"), coerce=int, widget=forms.Select(attrs={"data-testid": "delegate"})
    )
    starts = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        error_messages={"required": _("Say why the work is delegated, e.g. leave or training.")},
    )

    def __init__(self, *args, departments, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        people = {}
        for membership in members:
            people.setdefault(membership.user_id, membership.user.get_username())
        self.fields["delegator"].choices = list(people.items())
        self.fields["delegate"].choices = [("", _("Choose a colleague…"))] + list(people.items())


class SamplingDrawForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    matter = forms.TypedChoiceField(label=_("Matter"), required=False, coerce=int, empty_value=None)
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=64,
        help_text=_("Leave empty for a random seed; the seed is recorded with the draw."),
    )

    def __init__(self, *args, departments, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        self.fields["matter"].choices = [("", _("Every matter"))] + [
            (m.pk, m.name) for m in matters
        ]


class RectificationOrderForm(forms.Form):
    """An order to rectify: what was found, what must be fixed, by when (the service checks)."""

    method = forms.ChoiceField(
        label=_("Verification method"),
        choices=VerificationMethod.choices,
        widget=forms.Select(attrs={"data-testid": "rectify-method"}),
    )
    gaps = forms.CharField(
        label=_("What must be rectified"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "rectify-gaps"}),
        error_messages={"required": _("Say what must be rectified.")},
    )
    finding_evidence = forms.CharField(
        label=_("What the verification found"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "rectify-evidence"}),
        help_text=_("The documents read, the data source queried or what was seen on site."),
    )
    working_days = forms.IntegerField(
        label=_("Deadline in working days"),
        required=False,
        widget=forms.NumberInput(attrs={"data-testid": "rectify-working-days"}),
        help_text=_("Counted from today on the official calendar."),
    )
    due_date = DayField(
        label=_("or a deadline date"),
        required=False,
        widget=DateEntry(attrs={"data-testid": "rectify-due-date"}),
    )


class RectificationSubmitForm(forms.Form):
    """What the applicant rectified, with evidence files."""

    submission = forms.CharField(
        label=_("What was rectified"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "data-testid": "rectification-text"}),
        error_messages={"required": _("Say what was rectified.")},
    )
    evidence_files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        attrs={"data-testid": "evidence"},
        help_text=_("PDF, PNG or JPEG, at most 10 MB each and 10 files."),
    )
