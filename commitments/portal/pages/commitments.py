"""The portal's public commitments: the list (by kind, matter, department and signing days)
and one commitment's public page. A voluntary public commitment (主动公示) is shown for its
term and leaves both by itself when the term ends (``selectors.public_commitment_list``)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments.catalogue.models import CommitmentKind
from commitments.portal import selectors
from commitments.portal.pages import PortalPage, PublicFilterForm, id_field
from directory.forms import DayField


class PublicCommitmentFilterForm(PublicFilterForm):
    first = "matter"
    field_order = ["kind", "matter", "department", "signed_from", "signed_to"]
    kind = forms.ChoiceField(label=gettext_lazy("Kind of commitment"), required=False)
    matter = id_field(gettext_lazy("Matter"))
    signed_from = DayField(label=gettext_lazy("Signed from"), required=False)
    signed_to = DayField(label=gettext_lazy("Signed to"), required=False)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind"))] + [
            (kind.code, kind.name) for kind in kinds
        ]


def public_until(commitment):
    """The last instant the commitment is shown: its own term, else the template's period."""
    return commitment.signed_at + timedelta(days=commitment.template.publicity_days)


class PortalCommitmentsView(PortalPage):
    """Commitments being made public, by kind, matter, department and signing days, with a
    count; the pages keep the filters."""

    template_name = "commitments/portal/commitments.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        choices = selectors.public_commitment_filter_choices()
        form = PublicCommitmentFilterForm(
            self.request.GET or None,
            choices=[("", _("Any matter"))] + [(m.pk, m.name) for m in choices["matters"]],
            departments=choices["departments"],
            kinds=selectors.public_commitment_kinds(),
        )
        page = self.page(
            selectors.public_commitment_list(
                q=context["q"],
                kind=form.value("kind") or None,
                matter_id=form.value("matter"),
                department_id=form.value("department"),
                signed_from=form.value("signed_from"),
                signed_to=form.value("signed_to"),
            )
        )
        CommitmentKind.attach(commitment.template for commitment in page)
        context.update(
            **form.context(self.request),
            page_obj=page,
            rows=[(c, public_until(c)) for c in page],
        )
        return context


class PortalCommitmentView(PortalPage):
    """One commitment being made public: who commits, to what, under which kind, until when."""

    template_name = "commitments/portal/commitment.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commitment = selectors.public_commitment_get(reference=kwargs["reference"])
        if commitment is None:
            raise Http404
        rules = commitment.template.rules
        context.update(
            commitment=commitment,
            kind=rules,
            public_until=public_until(commitment),
            # What the business chose to make public; other kinds show only their text.
            field_rows=commitment.field_rows() if rules.is_published else [],
        )
        return context
