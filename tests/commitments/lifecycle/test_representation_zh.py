"""The representation pages in the default language show no English (usernames, the brand,
the language switch and file formats aside)."""

from __future__ import annotations

import io
import re

from django.test import Client
from django.urls import reverse

from directory.representation.services import agent_request, subject_claim
from signing.render.letter import render_authorisation_letter
from tests.factories import RepresentativeFactory, UserFactory, make_uscc

# The brand, the language switch, the licence in the footer, file formats; and usernames.
ALLOWED = {"Chengnuo", "English", "GNU", "Affero", "PDF", "SHA"} | {
    "applicant",
    "asker",
    "agentone",
    "letterer",
    "officer",
}


def _english_words(html: str) -> set[str]:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return set(re.findall(r"\b[A-Za-z]{3,}\b", body)) - ALLOWED


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_representation_pages_are_chinese_throughout(world):
    officer = UserFactory(username="officer", is_staff=True)
    RepresentativeFactory(
        subject=world.subject,
        user=UserFactory(username="agentone"),
        agent=True,
        matters=[world.matter],
    )
    agent_request(user=UserFactory(username="asker"), code=world.subject.code, reason="请授权")
    letterer = UserFactory(username="letterer")
    code = make_uscc()
    subject_claim(user=letterer, kind="company", code=code, name="深圳市信函公司")
    _client(letterer).post(
        reverse("commitments:letter_upload"),
        {
            "code": code,
            "role": "agent",
            "file": io.BytesIO(
                render_authorisation_letter(code=code, representative="x", role="y")
            ),
        },
    )
    second = _client(UserFactory())

    pages = {
        "subjects": _client(world.applicant).get(reverse("commitments:subjects")),
        "claims": _client(letterer).get(reverse("commitments:subjects")),
        "agents": _client(world.applicant).get(
            reverse("commitments:agents", args=[world.subject.pk])
        ),
        "reviews": _client(officer).get(reverse("commitments:letter_reviews")),
        "letter": second.get(reverse("commitments:letter_upload")),
        "request": second.get(reverse("commitments:agent_request")),
        "register": second.post(
            reverse("commitments:subject_register"),
            {"kind": "company", "code": world.subject.code, "name": "冒名"},
        ),
    }

    assert {name: page.status_code for name, page in pages.items()} == {
        "subjects": 200,
        "claims": 200,
        "agents": 200,
        "reviews": 200,
        "letter": 200,
        "request": 200,
        "register": 400,
    }
    words = {name: _english_words(page.content.decode()) for name, page in pages.items()}
    assert words == {name: set() for name in pages}
