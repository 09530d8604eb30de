"""The public portal (no login; Chinese and English; usable on a phone): commitments made
public, red and black lists with entry and exit dates, subject profiles with a QR code that
leads back to them, and the verification page. Mounted at /portal/ by ``config.urls``."""

from __future__ import annotations

from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from commitments.credit_pages import public_commitments
from commitments.portal import selectors as portal_selectors
from credit.record import selectors as credit_selectors
from credit.record.models.rules import CreditList

PAGE_SIZE = 20


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (no XML prolog, scalable)."""
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2).to_string()
    return svg.decode() if isinstance(svg, bytes) else svg


class _PortalPage(TemplateView):
    def page(self, queryset):
        return Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = (self.request.GET.get("q") or "").strip()[:100]
        context["verify_url"] = reverse("public:verify")
        return context


class PortalHomeView(_PortalPage):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subjects"] = self.page(portal_selectors.public_subject_search(q=context["q"]))
        return context


class PortalCommitmentsView(_PortalPage):
    template_name = "portal/commitments.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page(portal_selectors.public_commitment_list(q=context["q"]))
        context["page_obj"] = page
        context["rows"] = [
            (c, c.signed_at + timedelta(days=c.template.publicity_days)) for c in page
        ]
        return context


class PortalListView(_PortalPage):
    template_name = "portal/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = kwargs["kind"]
        if kind not in CreditList.Kind.values:
            raise Http404
        current = self.request.GET.get("show") != "exited"
        page = self.page(
            portal_selectors.public_list_entries(kind=kind, q=context["q"], current=current)
        )
        context.update(
            kind=kind,
            kind_label=CreditList.Kind(kind).label,
            current=current,
            page_obj=page,
            rows=[(entry, portal_selectors.masked_name(entry.subject)) for entry in page],
        )
        return context


class PortalSubjectView(_PortalPage):
    template_name = "portal/subject.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subject = portal_selectors.public_subject(code=kwargs["code"])
        if subject is None:
            raise Http404
        url = self.request.build_absolute_uri(reverse("portal:subject", args=[subject.code]))
        context.update(
            subject=subject,
            record=credit_selectors.credit_record(
                subject_id=subject.pk, audience=credit_selectors.AUDIENCE_PUBLIC
            ),
            commitments=public_commitments(subject=subject),
            profile_url=url,
            qr=mark_safe(qr_svg(url)),  # noqa: S308 - only path data encoding our URL
        )
        return context


app_name = "portal"
urlpatterns = [
    path("", PortalHomeView.as_view(), name="home"),
    path("commitments/", PortalCommitmentsView.as_view(), name="commitments"),
    path("lists/<str:kind>/", PortalListView.as_view(), name="list"),
    path("subjects/<str:code>/", PortalSubjectView.as_view(), name="subject"),
]
