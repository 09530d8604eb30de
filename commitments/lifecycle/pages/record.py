"""The subject's credit record: its own record for its representatives, and the public view of
the same subject with only what may be published, for as long as it may.

Mounted at /credit/ by ``config.urls`` (``commitments.lifecycle.urls.record_urlpatterns``).
Someone else's record is a 404 on the full page.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from commitments.lifecycle.selectors import public_commitments, record_commitments
from credit.record import selectors as credit_selectors
from directory import selectors as directory_selectors
from directory.identifiers import normalise
from directory.models import Subject


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
