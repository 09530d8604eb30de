"""The applicant's home list, "My commitments", worked like the officers' lists: filters by
status, kind (the matter), the company represented and signing date, folded on a phone;
sortable columns with accessible headers; the nearest obligation's urgency in working days
(剩余 3 个工作日, 今天到期, 已逾期 2 个工作日); the next step of each row; and the filters
remembered for the next visit, the officers' way (``RememberedFiltersMixin``).

Only the commitments of the subjects the person represents (and its own drafts) are read;
a filter naming another company matches nothing of it. The list is one person's own work
(a company's commitments), paged by 20 on the ``(subject, created_at)`` index."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import ListView

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.selectors import applicant_home, commitment_list
from commitments.obligations.models import Obligation
from directory import selectors as directory_selectors
from directory.forms import DayField
from directory.lists import RememberedFiltersMixin, sort_headers, sort_key, urgency_marks
from directory.models import Matter

COMMITMENT_SORTS = {
    "created": "created_at",
    "signed": "signed_at",
    "subject": "subject__name",
    "status": "status",
}
COMMITMENT_COLUMNS = {
    "subject": _lazy("Subject"),
    "status": _lazy("Status"),
    "created": _lazy("Created"),
    "signed": _lazy("Signed"),
}
DEFAULT_SORT = "-created"


class CommitmentFilterForm(forms.Form):
    """The applicant's filters; every field optional, a value not offered is ignored."""

    status = forms.ChoiceField(label=_lazy("Status"), required=False)
    matter = forms.TypedChoiceField(
        label=_lazy("Kind of commitment"), required=False, coerce=int, empty_value=None
    )
    subject = forms.TypedChoiceField(
        label=_lazy("Company represented"), required=False, coerce=int, empty_value=None
    )
    signed_from = DayField(label=_lazy("Signed from"), required=False)
    signed_to = DayField(label=_lazy("Signed to"), required=False)

    def __init__(self, *args, subjects, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Commitment.Status.choices]
        self.fields["matter"].choices = [("", _("Any kind"))] + [
            (matter.pk, matter.name) for matter in matters
        ]
        self.fields["subject"].choices = [("", _("All my companies"))] + [
            (subject.pk, subject.name) for subject in subjects
        ]


def next_step(commitment: Commitment) -> tuple[str, str]:
    """What the applicant does next with a commitment, in words, and where (a link or '')."""
    detail = reverse("commitments:detail", kwargs={"reference": commitment.reference})
    status = Commitment.Status
    if commitment.status == status.DRAFT:
        return _("Check and sign the commitment"), detail
    if commitment.status == status.BREACHED:
        return _("See what the breach means; object or repair"), detail
    if commitment.next_obligation is not None:
        obligation = commitment.next_obligation
        return (
            _("Report how you met “%(title)s” by %(day)s")
            % {"title": obligation.title, "day": obligation.due_date.isoformat()},
            reverse("commitments:obligation", kwargs={"pk": obligation.pk}),
        )
    if commitment.status == status.UNDER_VERIFICATION and commitment.verification_due_at:
        day = timezone.localtime(commitment.verification_due_at).date().isoformat()
        return _("Nothing to do: the department verifies it by %(day)s") % {"day": day}, ""
    return _("Nothing to do"), ""


class CommitmentListView(LoginRequiredMixin, RememberedFiltersMixin, ListView):
    """My commitments across every subject I represent: filtered, sorted (newest first by
    default), each row with its nearest obligation's urgency and its next step; the filters
    and sort kept for the next visit until cleared."""

    template_name = "commitments/lifecycle/list.html"
    context_object_name = "commitments"
    paginate_by = 20
    list_name = "my-commitments"
    filter_keys = (*CommitmentFilterForm.base_fields, "sort")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.sort = sort_key(request, COMMITMENT_SORTS, DEFAULT_SORT)

    def filter_form(self) -> CommitmentFilterForm:
        if not hasattr(self, "_form"):
            user = self.request.user
            subjects = list(directory_selectors.subject_list_for_drafts(user=user).order_by("name"))
            matters = Matter.objects.filter(
                templates__commitments__subject__in=[subject.pk for subject in subjects]
            ).distinct()
            data = {
                k: v for k, v in self.request.GET.items() if k in CommitmentFilterForm.base_fields
            }
            self._subjects = subjects
            self._form = CommitmentFilterForm(
                data or None, subjects=subjects, matters=matters.order_by("code")
            )
        return self._form

    def get_queryset(self):
        form = self.filter_form()
        cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
        queryset = (
            commitment_list(visible_to=self.request.user)
            .filter(subject__in=[subject.pk for subject in self._subjects])
            .prefetch_related(
                Prefetch(
                    "obligations",
                    queryset=Obligation.objects.filter(status=Obligation.Status.PENDING).order_by(
                        "due_date", "pk"
                    ),
                    to_attr="pending_obligations",
                )
            )
        )
        if cleaned.get("status"):
            queryset = queryset.filter(status=cleaned["status"])
        if cleaned.get("matter"):
            queryset = queryset.filter(template__matter_id=cleaned["matter"])
        if cleaned.get("subject"):
            queryset = queryset.filter(subject_id=cleaned["subject"])
        if cleaned.get("signed_from"):
            queryset = queryset.filter(signed_at__date__gte=cleaned["signed_from"])
        if cleaned.get("signed_to"):
            queryset = queryset.filter(signed_at__date__lte=cleaned["signed_to"])
        column = COMMITMENT_SORTS[self.sort.lstrip("-")]
        if self.sort.startswith("-"):
            return queryset.order_by(f"-{column}", "-pk")
        return queryset.order_by(column, "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["commitments"])
        for commitment in rows:
            pending = commitment.pending_obligations
            commitment.next_obligation = pending[0] if pending else None
            commitment.next_deadline = pending[0].due_date if pending else None
            commitment.next_step, commitment.next_step_url = next_step(commitment)
        urgency_marks(
            rows, due_of=lambda commitment: commitment.next_deadline, today=timezone.localdate()
        )
        form = self.filter_form()
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form,
            filter_query=query.urlencode(),
            active_filter_count=sum(
                1 for key in CommitmentFilterForm.base_fields if self.request.GET.get(key)
            ),
            sort_headers=sort_headers(self.request, COMMITMENT_COLUMNS, self.sort),
            home=applicant_home(user=self.request.user),
        )
        return context
