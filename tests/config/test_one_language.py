"""One language at a time: every page that answers 200 to GET, as every role, in each language.

The pages and roles come from the authorisation matrix (the same demo city, the same filled
URLs): every (page, role) whose GET row says ``200`` is rendered in Simplified Chinese and in
English. The visible text is read the way a person reads it: text outside ``<script>``,
``<style>`` and ``<template>``, the ``title``, ``aria-label``, ``placeholder`` and ``alt``
attributes, the text of ``<option>`` and the value of buttons.

- In Chinese, an English word fails the page unless it is a code, reference, name, unit or
  product (``ALLOWED_WORDS`` and the identifiers rule below).
- In English, Chinese text fails the page unless it is a name of a person, company, place,
  tender or document given as data (``_names_in_data``): catalogue data must show its English.

The API's refusals are checked in both languages too (a few representative ones).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

import tests.config.test_authorisation_matrix as matrix_test
from access.models import PLATFORM_TOKEN_NAMES, ApiToken
from commitments.associations.models import Association, BulkIssue, BulkIssueRow
from commitments.lifecycle.models import Commitment
from commitments.obligations.models import PerformanceEvidence, PerformanceReport
from commitments.pledges.models import Tender
from credit.check.models import CallingSystem
from credit.record.models.breaches import Breach
from credit.record.models.rules import MeasureType
from directory.models import Subject
from directory.representation.models import Representation
from notifications.models import Notification, OutboxMessage
from tests.config import authorisation_matrix as matrix
from tests.config.admin_language_gaps import ADMIN_LANGUAGE_GAPS
from tests.factories import BreachFactory, MeasureFactory
from workflows.repair.models import Objection, RepairApplication
from workflows.verification.models import Delegation, Rectification

city = matrix_test.city  # the demo city of the authorisation matrix, built once per module

LANGUAGES = ("zh-hans", "en")
# Texts people type, kept as typed: (model, field).
TYPED_TEXTS = (
    (Breach, "reason"),
    (PerformanceReport, "text"),
    (PerformanceEvidence, "original_name"),
    (Representation, "review_reason"),
    (Delegation, "reason"),
    (RepairApplication, "statement"),
    (Objection, "grounds"),
    # Another system's name and its operator's (an organisation's name) as it registered,
    # and a delivery's error as the log recorded it (the peer's own words: an HTTP status, a
    # socket error).
    (CallingSystem, "name"),
    (CallingSystem, "operator"),
    (OutboxMessage, "last_error"),
    (Rectification, "gaps"),
    (Rectification, "finding_evidence"),
    (Rectification, "submission"),
    # An association's members' file: its name as uploaded, each row's company as the file
    # gave it (a non-member's too, which no Subject holds).
    (BulkIssue, "original_name"),
    (BulkIssueRow, "name"),
)

# English words a Chinese page may show, each for a reason:
ALLOWED_WORDS = frozenset(
    {
        # File formats, units, devices and standards people know by these names.
        *("PDF", "pdf", "CSV", "JPEG", "PNG", "MB", "KB", "QR", "API", "JSON", "OpenAPI"),
        *("SHA", "PAdES", "CA", "ID", "USB", "Key"),  # "USB Key": the signing device's name
        "RFC",  # a standard's series, as in "RFC 9162" (the register's Merkle tree)
        # Product and licence names.
        *("Chengnuo", "Swagger", "ReDoc", "GNU", "Affero"),
        *("Excel", "WPS"),  # the spreadsheet programs an association saves its members' file in
        # The platform seal certificate's subject name, shown as the signer's name.
        *("Platform", "Seal"),
    }
)
# What the Django admin shows in English whatever the language, each for a reason:
ADMIN_ALLOWED_WORDS = frozenset(
    {
        *("True", "False"),  # Django's boolean icons carry Python's value as their alt text
        "Search",  # Django's search icon: alt="Search" is written in its template
        *("Django", "Axes"),  # product names; django-axes' app has no name to translate
        "en",  # the language code modeltranslation appends to each language's field
        # Key names inside Django's own Chinese help text of multiple selects
        *("Control", "Command", "Mac"),
        "LDAP",  # the directory protocol, named so in Django's own Chinese password help text
        "IP",  # the Internet protocol, named so in Django's own Chinese catalogue ("IP 地址")
    }
)
# An identifier (a code, a reference, an e-mail address, a URL, a file name) has a digit or
# joins parts with - _ . @ / : ; a single capital letter is a grade (A-D) or a list mark.
# A code is no word either: a token with a digit or a sign in it, one capital, or eight
# capitals and more (a random check code may draw no digit: YMGSQCHALWZS).
IDENTIFIER = re.compile(r"[\w.@/:-]*[\d_.@/:-][\w.@/:-]*|[A-Z]|[A-Z]{8,}")
# A word starts where no identifier character precedes it: the letters of a code that
# begins with digits (a unified social credit code, 91440300MA5…) are not a word of their own.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_.@/:-])[A-Za-z][A-Za-z0-9_.@/:-]*(?:-[A-Za-z0-9]+)*")
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
HIDDEN = {"script", "style", "template", "noscript"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The text a person reads (or hears from a screen reader) on a page in ``language``.

    Text inside an element that declares another language (``lang="en"`` on a Chinese page:
    the language switcher, the product's Latin name) is meant to be in that language, and
    screen readers read it so; it is left out.
    """

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.parts: list[str] = []
        self._hidden = 0
        self._foreign: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "html":
            return
        if self._foreign or (values.get("lang") or self.language) != self.language:
            self._foreign.append(tag)
            return
        if tag in HIDDEN:
            self._hidden += 1
        self.parts += [values[name] or "" for name in READ_ATTRIBUTES if name in values]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag) -> None:
        if self._foreign:
            if tag in self._foreign:
                del self._foreign[len(self._foreign) - 1 - self._foreign[::-1].index(tag) :]
            return
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        if not self._hidden and not self._foreign:
            self.parts.append(data)


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def english_words(text: str, *, allowed: frozenset[str]) -> list[str]:
    """The English words of ``text`` that are neither identifiers nor allowed."""
    return sorted(
        {
            word
            for word in LATIN_WORD.findall(text)
            if not IDENTIFIER.fullmatch(word) and word not in allowed
        }
    )


def chinese_text(text: str, *, names: tuple[str, ...]) -> list[str]:
    """The runs of Chinese in ``text`` that are not part of a name given as data."""
    runs_of_names = {run for name in names for run in CHINESE.findall(name)}
    return sorted(set(CHINESE.findall(text)) - runs_of_names)


def _usernames() -> frozenset[str]:
    return frozenset(get_user_model().objects.values_list("username", flat=True))


def _names_in_data() -> tuple[str, ...]:
    """Texts people typed or named (companies, tenders, filled-in fields, messages, reasons,
    file names): they stay in the language they were written in."""
    names = [*Subject.objects.values_list("name", flat=True)]
    names += Association.objects.values_list("name", flat=True)
    for model, field in TYPED_TEXTS:
        names += model.objects.values_list(field, flat=True)
    names += Tender.objects.values_list("title", flat=True)
    # A token's name as the person who issued it typed it ("what the token is for"); the
    # names the platform gives its own tokens are read in the page's language instead.
    names += [
        name
        for name in ApiToken.objects.values_list("name", flat=True)
        if not PLATFORM_TOKEN_NAMES.is_recorded(name)
    ]
    for evidence in Representation.objects.values_list("evidence", flat=True):
        names += [value for value in (evidence or {}).values() if isinstance(value, str)]
    for values in Commitment.objects.values_list("field_values", flat=True):
        names += [str(value) for value in (values or {}).values()]
    names += Notification.objects.values_list("subject", "body").distinct()
    names += OutboxMessage.objects.values_list("subject", "body").distinct()
    flat: list[str] = []
    for name in names:
        flat += list(name) if isinstance(name, tuple) else [name]
    return tuple(flat)


def _typed_words() -> frozenset[str]:
    """The words of texts people typed (reasons, reports, file names), in whatever language."""
    return frozenset(word for text in _names_in_data() for word in LATIN_WORD.findall(text))


def _pages_of_every_role() -> list:
    """Each page with the roles that read it (GET answers 200 in the matrix), the Django
    admin's included: Django translates its own words, and our models' and fields' names,
    choices and catalogue data must be in the page's language there too. The admin pages
    still known to fail (``admin_language_gaps``) are expected failures, listed with why."""
    cases = []
    for route in matrix_test.PAGE_ROUTES:
        row = matrix.PAGES.get(route, {}).get("GET", "").split()
        roles = tuple(
            role for role, outcome in zip(matrix.ROLES, row, strict=False) if outcome == "200"
        )
        if roles:
            marks = (
                [pytest.mark.xfail(reason="known admin gap (admin_language_gaps)", strict=False)]
                if route in ADMIN_LANGUAGE_GAPS
                else []
            )
            cases.append(pytest.param(route, roles, marks=marks))
    return cases


def _get(client: Client, url: str, language: str):
    client.cookies["django_language"] = language
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("route", "roles"), _pages_of_every_role())
def test_every_page_speaks_one_language(city, db, route, roles, language):
    url = matrix_test.page_url(route, city)
    allowed = ALLOWED_WORDS | _usernames() | _typed_words()
    if route.startswith("admin/"):
        allowed |= ADMIN_ALLOWED_WORDS
    names = _names_in_data()
    wrong: dict[str, list[str]] = {}
    for role in roles:
        client = city.clients.get(role)
        if client is None:
            continue
        response = _get(client, url, language)
        if not response["Content-Type"].startswith("text/html"):
            continue
        assert response.status_code == 200, f"{role} {url}: {response.status_code}"
        text = visible_text(response.content.decode(), language)
        found = (
            english_words(text, allowed=allowed)
            if language == "zh-hans"
            else chinese_text(text, names=names)
        )
        if found:
            wrong[role] = found
    assert wrong == {}, f"{url} in {language} shows the other language: {wrong}"


def _prose(data) -> list[str]:
    """The messages of an API answer: its string values, but for keys and the stable codes."""
    if isinstance(data, dict):
        return [text for key, value in data.items() if key != "code" for text in _prose(value)]
    if isinstance(data, list):
        return [text for value in data for text in _prose(value)]
    return [str(data)] if isinstance(data, str) else []


def _refusals(city) -> list[tuple[str, str, dict]]:
    """A few representative API refusals of the demo city: (method, path, body)."""
    from workflows.management.commands.demo_load import (
        DEMO_FIELDS,
        FOOD_TEMPLATE_CODE,
        SUBJECT_CODE,
    )

    create = {
        "template_code": FOOD_TEMPLATE_CODE,
        "template_version": 1,
        "subject": SUBJECT_CODE,
        "field_values": DEMO_FIELDS,
    }
    return [
        ("post", "/api/v1/commitments/create/", {}),  # every field missing
        ("post", "/api/v1/commitments/create/", {**create, "template_code": "no-such"}),
        ("get", "/api/v1/commitments/CN00000000T0000000/", {}),  # not found
        ("post", "/api/v1/commitments/create/", create),  # excluded: the measure, by its name
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_refusals_speak_the_language_of_the_request(city, db, language):
    subject = Subject.objects.get(code=matrix_test.SUBJECT_CODE)
    no_commitment = MeasureType.objects.get(code="no_commitment")
    MeasureFactory(breach=BreachFactory(subject=subject), measure_type=no_commitment)
    client = Client(raise_request_exception=False, **city.api_headers["applicant"])
    messages = []
    for method, path, body in _refusals(city):
        response = getattr(client, method)(
            path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert 400 <= response.status_code < 500, (path, response.status_code)
        messages += _prose(response.json())
    text = "\n".join(messages)

    if language == "zh-hans":
        assert english_words(text, allowed=ALLOWED_WORDS) == []
        assert "“在信用修复前不适用告知承诺制”" in text
    else:
        assert chinese_text(text, names=_names_in_data()) == []
        assert "“No commit-instead-of-prove until the record is repaired”" in text
