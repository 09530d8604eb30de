"""Representation pages: a claimant's letter and agent request, the legal representative's
agents page, and the officers' review of letters.

Each page parses input and calls one service of ``directory.representation`` (a letter goes
through ``services.representation`` first, which stores it); refusals show on the form.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_protect

from commitments.lifecycle.forms import (
    AgentGrantForm,
    AgentRequestForm,
    LetterReviewForm,
    LetterUploadForm,
    ReasonForm,
    add_commitment_error,
    read_upload,
)
from commitments.lifecycle.services.representation import (
    representation_letter_read,
    representation_letter_upload,
)
from commitments.lifecycle.services.signatures import upload_limit_bytes
from directory.errors import DomainError
from directory.representation import selectors as representation_selectors
from directory.representation import services as representation_services
from directory.representation.models import Representation


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The moment an authorisation "until ``day``" ends: the next local midnight."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _code_of(request) -> str:
    """The code to fill in: ``?subject=<pk>`` of a subject the user has claimed (so that a
    resident ID never travels in a URL), or ``?code=`` as the user typed it."""
    subject_pk = request.GET.get("subject", "")
    if subject_pk.isdigit():
        own = representation_selectors.representation_list_of_user(user=request.user).filter(
            subject_id=int(subject_pk)
        )
        return own[0].subject.code if own else ""
    return request.GET.get("code", "")[:40]


class LetterUploadView(LoginRequiredMixin, View):
    """``/commitments/subjects/letter/``: upload an authorisation letter for a code."""

    template_name = "commitments/lifecycle/letter_upload.html"

    def get(self, request):
        form = LetterUploadForm(initial={"code": _code_of(request)})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        try:
            data = read_upload(request, "file", upload_limit_bytes())
        except DomainError as error:
            form = LetterUploadForm(request.POST)
            form.is_valid()
            form.add_error(None, error.message)
            return render(request, self.template_name, {"form": form}, status=413)
        return csrf_protect(self._submit)(request, data=data)

    def _submit(self, request, *, data):
        form = LetterUploadForm(request.POST)
        if form.is_valid():
            try:
                representation_letter_upload(
                    user=request.user,
                    code=form.cleaned_data["code"],
                    role=form.cleaned_data["role"],
                    data=data,
                    filename=getattr(request.FILES.get("file"), "name", ""),
                )
            except DomainError as error:
                if error.field == "file":
                    form.add_error(None, error.message)
                else:
                    add_commitment_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your letter was received. An officer will review it; you will see "
                        "the decision here."
                    ),
                )
                return redirect("commitments:subjects")
        return render(request, self.template_name, {"form": form}, status=400)


class AgentRequestView(LoginRequiredMixin, View):
    """``/commitments/subjects/agent-request/``: ask a subject's representative to authorise you."""

    template_name = "commitments/lifecycle/agent_request.html"

    def get(self, request):
        form = AgentRequestForm(initial={"code": _code_of(request)})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = AgentRequestForm(request.POST)
        if form.is_valid():
            try:
                representation_services.agent_request(
                    user=request.user,
                    code=form.cleaned_data["code"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                add_commitment_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your request was sent. It appears on the representative's agents page."),
                )
                return redirect("commitments:subjects")
        return render(request, self.template_name, {"form": form}, status=400)


class AgentListView(LoginRequiredMixin, View):
    """``/commitments/subjects/<pk>/agents/``: the legal representative's agents page: grant,
    revoke, and answer requests (by the subject's number: a resident ID stays out of URLs)."""

    template_name = "commitments/lifecycle/agents.html"

    def _subject(self, request, pk: int):
        try:
            return representation_selectors.represented_subject_get(
                subject_id=pk, legal_representative=request.user
            )
        except DomainError:
            raise Http404 from None

    def _render(self, request, subject, form, status=200):
        agents = representation_selectors.agent_list(subject_id=subject.pk)
        return render(
            request,
            self.template_name,
            {"subject": subject, "agents": agents, "form": form, "now": timezone.now()},
            status=status,
        )

    def get(self, request, pk: int):
        subject = self._subject(request, pk)
        initial = {}
        if request_pk := request.GET.get("request"):
            row = representation_selectors.agent_list(subject_id=subject.pk).filter(
                pk=request_pk if request_pk.isdigit() else None
            )
            if row.exists():
                initial["username"] = row.get().user.get_username()
        return self._render(request, subject, AgentGrantForm(initial=initial))

    def post(self, request, pk: int):
        subject = self._subject(request, pk)
        form = AgentGrantForm(request.POST)
        if form.is_valid():
            agent = (
                get_user_model()
                .objects.filter(username=form.cleaned_data["username"], is_active=True)
                .first()
            )
            if agent is None:
                form.add_error("username", _("No active user has this name."))
            else:
                try:
                    representation_services.agent_grant(
                        subject=subject,
                        user=agent,
                        matters=form.cleaned_data["matters"],
                        valid_until=end_of_day(form.cleaned_data["valid_until"]),
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except DomainError as error:
                    add_commitment_error(form, error)
                else:
                    messages.success(
                        request,
                        _("%(user)s is now an agent of %(subject)s.")
                        % {"user": agent.get_username(), "subject": subject.name},
                    )
                    return redirect("commitments:agents", pk=subject.pk)
        return self._render(request, subject, form, status=400)


class RepresentationDecisionView(LoginRequiredMixin, View):
    """``/commitments/representations/<pk>/<action>/``: revoke (an agent, by the legal
    representative; one's own; any, by an officer) or refuse an agent request."""

    def post(self, request, pk: int, action: str):
        if action not in ("revoke", "refuse"):
            raise Http404
        try:
            row = representation_selectors.representation_get_visible(pk=pk, viewer=request.user)
        except DomainError:
            raise Http404 from None
        form = ReasonForm(request.POST)
        back = redirect(_safe_back(request))
        if not form.is_valid():
            messages.error(request, _("Give the reason; it is recorded with the decision."))
            return back
        try:
            if action == "revoke":
                representation_services.representation_revoke(
                    representation=row, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The representation was revoked."))
            else:
                representation_services.agent_request_refuse(
                    representation=row, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The request was refused."))
        except DomainError as error:
            messages.error(request, error.message)
        return back


def _safe_back(request) -> str:
    """Where to return after a decision: a path on this site, or the subjects page."""
    target = request.POST.get("back", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("commitments:subjects")


def _officer_or_403(request) -> None:
    if not representation_selectors.is_representation_officer(request.user):
        raise PermissionDenied


class LetterReviewListView(LoginRequiredMixin, View):
    """``/commitments/letters/``: the officers' queue of authorisation letters."""

    template_name = "commitments/lifecycle/letter_reviews.html"

    def get(self, request):
        _officer_or_403(request)
        letters = representation_selectors.letter_review_list()
        return render(request, self.template_name, {"letters": letters, "form": LetterReviewForm()})


class LetterReviewView(LoginRequiredMixin, View):
    """``/commitments/letters/<pk>/review/``: approve or refuse one letter, with a reason."""

    def post(self, request, pk: int):
        _officer_or_403(request)
        try:
            row = representation_selectors.representation_get_visible(pk=pk, viewer=request.user)
        except DomainError:
            raise Http404 from None
        form = LetterReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose approve or refuse and give the reason."))
            return redirect("commitments:letter_reviews")
        try:
            representation_services.representation_letter_review(
                representation=row,
                by=request.user,
                is_approved=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The decision was recorded."))
        return redirect("commitments:letter_reviews")


class LetterFileView(LoginRequiredMixin, View):
    """``/commitments/letters/<pk>/letter.pdf``: the letter as stored, for the officer and its
    uploader (its bytes are checked against the recorded SHA-256 on the way out)."""

    def get(self, request, pk: int):
        try:
            row = representation_selectors.representation_get_visible(pk=pk, viewer=request.user)
        except DomainError:
            raise Http404 from None
        if row.method != Representation.Method.LETTER or not row.evidence.get("sha256"):
            raise Http404
        response = HttpResponse(
            representation_letter_read(representation=row), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="letter-{row.pk}.pdf"'
        response["X-Content-SHA256"] = row.evidence["sha256"]
        return response
