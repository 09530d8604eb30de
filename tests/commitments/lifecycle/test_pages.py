"""The applicant's pages through the Django test client: the journey, refusals and language."""

from __future__ import annotations

import datetime
import hashlib
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from commitments.catalogue.models import field_label
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from commitments.obligations.models import Obligation
from directory.models import Subject
from signing.ca.authority import ca_clear_cache
from signing.models import SignedDocument
from signing.storage import document_key, document_read
from workflows.verification.services.submission import commitment_submit

BEFORE_NATIONAL_DAY = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# The factory password: each signature needs its own proof (access.ceremony, ADR 0022).
PASSWORD = "pw-12345678"
FIELDS = {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}
FORM = {"subject": None, "field_premises": FIELDS["premises"], "field_scope": FIELDS["scope"]}


@pytest.fixture(autouse=True)
def own_signing_paths(settings, tmp_path: Path):
    settings.SIGNING_CA_AUTOCREATE = True
    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "ca" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "ca" / "ca.key")
    settings.SIGNING_DOCUMENT_ROOT = str(tmp_path / "documents")
    ca_clear_cache()
    yield
    ca_clear_cache()


def _client(user=None, language: str | None = "en") -> Client:
    client = Client(headers={"accept-language": language} if language else None)
    if user is not None:
        client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _draft(world) -> Commitment:
    return commitment_create(
        by=world.applicant, subject=world.subject, template=world.template, field_values=FIELDS
    )


def _submitted(world) -> Commitment:
    return commitment_submit(commitment=_draft(world), by=world.applicant)


def _urls(reference: str) -> dict[str, str]:
    return {
        name: reverse(f"commitments:{name}", kwargs={"reference": reference})
        for name in ("detail", "preview", "download", "edit")
    }


# The journey --------------------------------------------------------------------------------


def test_applicant_journey_from_notice_to_signed_commitment(world):
    client = _client(world.applicant)
    pk = world.template.pk

    # Given the template list, when the applicant opens the form before reading the notice,
    listing = client.get(reverse("commitments:templates"))
    assert world.template.title in _text(listing)
    early = client.get(reverse("commitments:create", args=[pk]))
    # then it is sent to the notice first.
    assert early.status_code == 302
    assert early.url == reverse("commitments:notice", args=[pk])

    notice = client.get(early.url)
    assert notice.status_code == 200
    for part in (
        world.template.notice_liability,
        world.template.notice_waived_proof,
        world.template.notice_verification,
        world.template.notice_publicity,
    ):
        assert part in _text(notice)
    assert 'data-testid="acknowledge"' in _text(notice)

    unticked = client.post(early.url, {})
    assert unticked.status_code == 400
    assert "Tick the box" in _text(unticked)

    ticked = client.post(early.url, {"acknowledge": "on"})
    assert ticked.url == reverse("commitments:create", args=[pk])

    form = client.get(ticked.url)
    assert form.status_code == 200
    assert "Premises" in _text(form)  # the field's label in the reader's language

    created = client.post(ticked.url, {**FORM, "subject": world.subject.pk})
    commitment = Commitment.objects.get()
    urls = _urls(commitment.reference)
    assert created.status_code == 302
    assert created.url == urls["detail"]
    assert commitment.field_values == FIELDS

    preview = client.get(urls["preview"])
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview.content.startswith(b"%PDF-")

    draft_page = client.get(urls["detail"])
    assert 'data-testid="sign"' in _text(draft_page)
    assert world.template.notice_liability in _text(draft_page)

    sign_url = reverse("submission:sign", kwargs={"reference": commitment.reference})
    signed = client.post(sign_url, {"confirm": "on", "password": PASSWORD}, follow=True)

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.UNDER_VERIFICATION
    page = _text(signed)
    assert "Signed. Commitment" in page
    assert 'data-testid="status">Under verification<' in page
    obligation = Obligation.objects.get(commitment=commitment)
    assert obligation.due_date.isoformat() in page
    assert obligation.due_explanation in page
    assert commitment.verification_due_explanation in page
    assert commitment.department.name in page
    # The timeline says what people did, in time order, and what happens next and by when.
    assert page.count('data-testid="timeline-entry"') == 3
    assert page.index("created the draft on") < page.index("signed the commitment on")
    assert f"was sent to {world.department.name} for verification" in page
    due = timezone.localtime(commitment.verification_due_at).strftime("%Y-%m-%d %H:%M")
    assert f"Next: {world.department.name} verifies the commitment by {due}." in page
    assert "Scheduled" not in page and "Verify the commitment" not in page
    assert 'data-testid="download"' in page
    assert 'data-testid="sign"' not in page


def test_draft_shows_the_deadlines_it_would_get_if_signed_today(world):
    commitment = _draft(world)

    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        response = _client(world.applicant).get(_urls(commitment.reference)["detail"])

    assert 'data-testid="projected-deadlines"' in _text(response)
    assert "2026-11-03" in _text(response)
    assert "(14 weekend or holiday days skipped)" in _text(response)


def test_second_sign_post_is_friendly_and_changes_nothing(world):
    commitment = _submitted(world)
    history_before = commitment.history.count()
    client = _client(world.applicant)

    response = client.post(
        reverse("submission:sign", args=[commitment.reference]),
        {"confirm": "on", "password": PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert "already been signed; nothing was changed" in _text(response)
    assert Commitment.objects.get(pk=commitment.pk).history.count() == history_before
    assert SignedDocument.objects.count() == 1


def test_sign_without_accepting_liability_changes_nothing(world):
    commitment = _draft(world)

    response = _client(world.applicant).post(
        reverse("submission:sign", args=[commitment.reference]), {}, follow=True
    )

    assert "accept the liability" in _text(response)
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.DRAFT


def test_sign_is_post_only(world):
    commitment = _draft(world)

    response = _client(world.applicant).get(reverse("submission:sign", args=[commitment.reference]))

    assert response.status_code == 405
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.DRAFT


def test_download_serves_the_stored_bytes_as_an_attachment(world):
    commitment = _submitted(world)

    response = _client(world.applicant).get(_urls(commitment.reference)["download"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{commitment.reference}.pdf"'
    assert response.content == document_read(commitment.signed_document)
    assert hashlib.sha256(response.content).hexdigest() == commitment.signed_document.sha256


def test_department_regulator_may_read_and_download_but_not_act(world):
    commitment = _submitted(world)
    client = _client(world.regulator)
    urls = _urls(commitment.reference)

    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["download"]).status_code == 200
    assert client.get(urls["preview"]).status_code == 404
    history_before = commitment.history.count()
    signed_again = client.post(
        reverse("submission:sign", args=[commitment.reference]),
        {"confirm": "on", "password": PASSWORD},
    )
    assert signed_again.status_code == 404
    assert commitment.history.count() == history_before


def test_tampered_document_gets_a_clear_page_not_a_server_error(world):
    commitment = _submitted(world)
    document = commitment.signed_document
    path = Path(settings.SIGNING_DOCUMENT_ROOT) / document_key(sha256=document.sha256)
    os.chmod(path, 0o640)
    path.write_bytes(path.read_bytes() + b"%tampered")

    response = _client(world.applicant).get(_urls(commitment.reference)["download"])

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert 'data-testid="document-error"' in _text(response)
    assert document.sha256 in _text(response)


def test_unsigned_commitment_has_nothing_to_download(world):
    commitment = _draft(world)

    assert _client(world.applicant).get(_urls(commitment.reference)["download"]).status_code == 404


# Someone else's objects ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "foreign_regulator"])
def test_outsider_gets_404_everywhere_and_nothing_changes(world, who):
    draft = _draft(world)
    signed = _submitted(world)
    client = _client(getattr(world, who))

    for reference in (draft.reference, signed.reference):
        for url in _urls(reference).values():
            assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("submission:sign", args=[draft.reference]), {"confirm": "on"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            _urls(draft.reference)["edit"], {"field_premises": "x", "field_scope": "y"}
        ).status_code
        == 404
    )
    assert client.post(reverse("commitments:withdraw", args=[draft.reference])).status_code == 404

    draft.refresh_from_db()
    assert draft.status == Commitment.Status.DRAFT
    assert draft.field_values == FIELDS
    assert draft.history.count() == 1


def test_cannot_commit_for_someone_elses_subject_by_posting_its_id(world):
    others = Subject.objects.get(name="别人的公司")
    client = _client(world.applicant)
    client.post(reverse("commitments:notice", args=[world.template.pk]), {"acknowledge": "on"})

    response = client.post(
        reverse("commitments:create", args=[world.template.pk]), {**FORM, "subject": others.pk}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in _text(response)
    assert Commitment.objects.count() == 0


def test_anonymous_visitor_is_sent_to_log_in(world):
    response = Client().get(reverse("commitments:list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Forms and field errors ---------------------------------------------------------------------


def _create_after_notice(world, **fields):
    """Acknowledge the notice, then post the create form with these fields changed."""
    client = _client(world.applicant)
    client.post(reverse("commitments:notice", args=[world.template.pk]), {"acknowledge": "on"})
    return client.post(
        reverse("commitments:create", args=[world.template.pk]),
        {**FORM, "subject": world.subject.pk, **fields},
    )


def test_missing_field_is_shown_on_the_field_and_nothing_is_created(world):
    response = _create_after_notice(world, field_scope="")

    # The request is in English: the field's label is too, from the template.
    with translation.override("en"):
        [label] = [field_label(s) for s in world.template.fields if s["name"] == "scope"]
    assert response.status_code == 400
    assert response.context["form"].errors == {"field_scope": [f"Fill in “{label}”."]}
    assert 'data-testid="field-field_scope"' in _text(response)
    summary = _text(response).split('data-testid="error-summary"')[1].split("</div>")[0]
    assert f'<a href="#id_field_scope">Fill in “{label}”.</a>' in summary
    assert "---------" not in _text(response)
    assert '<option value="" selected>The subject&#x27;s registered region</option>' in _text(
        response
    )
    assert Commitment.objects.count() == 0


def test_edit_a_draft_and_withdraw_it(world):
    commitment = _draft(world)
    client = _client(world.applicant)
    urls = _urls(commitment.reference)

    assert client.get(urls["edit"]).status_code == 200
    saved = client.post(urls["edit"], {"field_premises": "福田区2号", "field_scope": "冷食"})
    withdrawn = client.post(
        reverse("commitments:withdraw", args=[commitment.reference]), {"reason": "改走一般程序"}
    )

    assert saved.url == urls["detail"]
    assert withdrawn.url == urls["detail"]
    commitment.refresh_from_db()
    assert commitment.field_values == {"premises": "福田区2号", "scope": "冷食"}
    assert commitment.status == Commitment.Status.WITHDRAWN


def test_signed_commitment_cannot_be_edited(world):
    commitment = _submitted(world)

    response = _client(world.applicant).post(
        _urls(commitment.reference)["edit"], {"field_premises": "x", "field_scope": "y"}
    )

    assert response.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).field_values == FIELDS


def test_subject_with_wrong_check_character_shows_the_expected_one(world):
    response = _client(world.applicant).post(
        reverse("commitments:subject_register"),
        {"kind": "company", "code": "914403001922038217", "name": "某公司"},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors["code"]
    assert len(errors) == 1
    assert "(expected 6)" in errors[0]
    assert "officer" in errors[0]
    assert not Subject.objects.filter(name="某公司").exists()


def test_registered_person_is_listed_with_a_masked_code(world):
    client = _client(world.applicant)

    registered = client.post(
        reverse("commitments:subject_register"),
        {"kind": "person", "code": "11010519491231002x", "name": "张三"},
    )
    listing = client.get(reverse("commitments:subjects"))

    assert registered.url == reverse("commitments:subjects")
    assert "110105**********2X" in _text(listing)
    assert "11010519491231002X" not in _text(listing)
    assert world.subject.code in _text(listing)
    assert "别人的公司" not in _text(listing)


# The list -----------------------------------------------------------------------------------


def test_list_shows_my_commitments_only_with_next_deadline(world):
    signed = _submitted(world)
    draft = _draft(world)
    commitment_create(
        by=world.stranger,
        subject=Subject.objects.get(name="别人的公司"),
        template=world.template,
        field_values=FIELDS,
    )

    response = _client(world.applicant).get(reverse("commitments:list"))

    page = _text(response)
    assert [c.pk for c in response.context["commitments"]] == [draft.pk, signed.pk]
    assert signed.obligations.get().due_date.isoformat() in page
    assert page.count('data-testid="commitment-row"') == 2


def test_list_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(3):
        _submitted(world)
    for _ in range(12):
        _draft(world)
    client = _client(world.applicant)

    # The list's own queries, and the home's counts above it (test_home.py: the same number
    # whatever the number of commitments), and the filters' choices, the working-day calendar
    # the menu's letter-review permission (ADR 0021) and the open rectification orders (ADR 0024).
    with django_assert_max_num_queries(20):
        response = client.get(reverse("commitments:list"))

    assert len(response.context["commitments"]) == 15


def test_list_is_paginated_and_filtered_by_status(world):
    for _ in range(21):
        _draft(world)
    client = _client(world.applicant)

    first = client.get(reverse("commitments:list"))
    second = client.get(reverse("commitments:list"), {"page": 2})
    signed_only = client.get(reverse("commitments:list"), {"status": "signed"})

    assert len(first.context["commitments"]) == 20
    assert len(second.context["commitments"]) == 1
    assert len(signed_only.context["commitments"]) == 0


# Language -----------------------------------------------------------------------------------


def test_pages_speak_chinese_by_default(world):
    response = _client(world.applicant, language=None).get(reverse("commitments:list"))

    assert '<html lang="zh-hans">' in _text(response)
    assert "我的承诺" in _text(response)


def test_pages_speak_english_on_request(world):
    response = _client(world.applicant, language="en").get(reverse("commitments:list"))

    assert '<html lang="en">' in _text(response)
    assert "My commitments" in _text(response)


def test_language_cookie_chooses_english(world):
    client = _client(world.applicant, language=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("commitments:list"))

    assert "My commitments" in _text(response)


# Characters the signed PDF can show --------------------------------------------------------

EMOJI = "These characters cannot be shown in the signed document: 😀 (U+1F600)"


def test_a_field_the_pdf_cannot_show_is_an_error_on_the_field_and_nothing_is_created(world):
    response = _create_after_notice(world, field_scope="热食😀")

    assert response.status_code == 400
    assert response.context["form"].errors == {"field_scope": [EMOJI]}
    assert Commitment.objects.count() == 0


def test_a_subject_name_the_pdf_cannot_show_is_an_error_on_the_name(world):
    before = Subject.objects.count()

    response = _client(world.applicant).post(
        reverse("commitments:subject_register"),
        {"kind": "company", "code": "9144030071526726XG", "name": "某公司😀"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [EMOJI]}
    assert Subject.objects.count() == before


def test_a_stored_draft_the_pdf_cannot_show_gets_a_page_message_on_preview_and_sign(world):
    # given a draft stored before its characters were checked (once a 500 at every attempt)
    commitment = _draft(world)
    Commitment.objects.filter(pk=commitment.pk).update(field_values={**FIELDS, "scope": "热食😀"})
    history = commitment.history.count()
    client = _client(world.applicant)

    # when
    preview = client.get(_urls(commitment.reference)["preview"], follow=True)
    signed = client.post(
        reverse("submission:sign", args=[commitment.reference]),
        {"confirm": "on", "password": PASSWORD},
        follow=True,
    )

    # then both pages say which character to correct, and nothing changed
    expected = f"This draft cannot be signed until it is corrected. {EMOJI}"
    for response in (preview, signed):
        assert response.status_code == 200
        assert expected in _text(response)
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DRAFT
    assert commitment.history.count() == history
    assert SignedDocument.objects.count() == 0
