"""Credit record pages: the subject's own record for its representatives, and the public view
of the same subject with only what may be published, for as long as it may.

Mounted at /credit/ by ``config.urls``. Someone else's record is a 404 on the full page.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from commitments.lifecycle import selectors
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import Obligation
from credit.record import selectors as credit_selectors
from directory import selectors as directory_selectors
from directory.identifiers import normalise
from directory.models import Subject

# Selectors ----------------------------------------------------------------------------------


def record_commitments(*, subject: Subject, visible_to) -> QuerySet[Commitment]:
    """The subject's commitments with their obligations, as its representative sees them."""
    return (
        selectors.commitment_list(visible_to=visible_to)
        .filter(subject=subject)
        .exclude(status=Commitment.Status.DRAFT)
        .prefetch_related(Prefetch("obligations", queryset=Obligation.objects.order_by("due_date")))
        .order_by("-signed_at", "-pk")
    )


def public_commitments(*, subject: Subject, now=None) -> list[Commitment]:
    """Signed commitments still within the publicity period their template announced."""
    now = now or timezone.now()
    candidates = (
        Commitment.objects.filter(
            subject=subject, signed_at__isnull=False, template__publicity_days__gt=0
        )
        .exclude(status=Commitment.Status.WITHDRAWN)
        .select_related("template", "template__matter")
        .annotate(publicity_days=F("template__publicity_days"))
        .order_by("-signed_at", "-pk")
    )
    return [c for c in candidates if now < c.signed_at + timedelta(days=c.publicity_days)]


def _subject_by_code(code: str) -> Subject:
    subject = Subject.objects.filter(code=normalise(code)).first()
    if subject is None:
        raise Http404
    return subject


# Pages --------------------------------------------------------------------------------------


class CreditRecordView(LoginRequiredMixin, TemplateView):
    """The whole credit record of a subject the user represents."""

    template_name = "credit/record/record.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subject = _subject_by_code(kwargs["code"])
        if (
            not directory_selectors.subject_list(represented_by=self.request.user)
            .filter(pk=subject.pk)
            .exists()
        ):
            raise Http404
        context.update(
            subject=subject,
            record=credit_selectors.credit_record(
                subject_id=subject.pk, audience=credit_selectors.AUDIENCE_SUBJECT
            ),
            commitments=list(record_commitments(subject=subject, visible_to=self.request.user)),
            exclusion=credit_selectors.subject_is_excluded(subject_id=subject.pk),
        )
        return context


class PublicCreditRecordView(TemplateView):
    """What anyone may see of a subject's credit record today."""

    template_name = "credit/record/public.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subject = _subject_by_code(kwargs["code"])
        context.update(
            subject=subject,
            record=credit_selectors.credit_record(
                subject_id=subject.pk, audience=credit_selectors.AUDIENCE_PUBLIC
            ),
            commitments=public_commitments(subject=subject),
        )
        return context


app_name = "credit"
urlpatterns = [
    path("<str:code>/", CreditRecordView.as_view(), name="record"),
    path("<str:code>/public/", PublicCreditRecordView.as_view(), name="public"),
]
