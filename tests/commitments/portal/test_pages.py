"""Verification for everyone, and the register's receipts and proofs."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from django.test import Client
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from signing.models import SignedDocument
from signing.register.merkle import verify_consistency
from signing.storage import document_read
from tests.signing.forgeries import text_drawn_on_first_page
from tests.workflows.conftest import FIELD_VALUES, submit_commitment

# The signing files of this test's own, and English messages.
pytestmark = pytest.mark.usefixtures("signing_files", "english")


@pytest.fixture
def signed(world) -> Commitment:
    return submit_commitment(world)


def _upload(client: Client, data: bytes, **extra):
    return client.post(
        "/verify/?format=json",
        {"file": io.BytesIO(data)},
        **extra,
    )


def test_the_reference_report_says_who_signed_when_and_the_public_status(signed):
    # when
    response = Client().get(f"/verify/{signed.reference}/?format=json")

    # then
    assert response.status_code == 200
    report = response.json()
    assert report["is_valid"] is True
    assert [s["kind"] for s in report["signatures"]] == ["applicant", "platform_seal"]
    applicant = report["signatures"][0]
    assert applicant["signer"] == "深圳市示例餐饮有限公司"
    assert applicant["signer_code"] == "914403001922038216"
    assert applicant["timestamped"] is True
    assert applicant["intact"] is True
    assert applicant["trusted"] is True
    assert report["platform_sealed"] is True
    assert report["commitment"]["status"] == "under_verification"
    assert report["commitment"]["register_entries"] == [0]


def test_the_html_report_is_public_and_readable(signed):
    # when
    response = Client().get(f"/verify/{signed.reference}/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid: signed, sealed by the platform and unchanged" in page
    assert "Signed, under verification" in page
    assert "Platform seal" in page


def test_uploading_the_stored_pdf_finds_the_commitment_and_stores_nothing(signed):
    # given
    data = document_read(signed.signed_document)
    documents = SignedDocument.objects.count()

    # when
    response = _upload(Client(), data)

    # then
    assert response.status_code == 200
    assert response.json()["known_to_platform"] is True
    assert response.json()["commitment"]["reference"] == signed.reference
    assert SignedDocument.objects.count() == documents


def javascript_pdf(data: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/OpenAction"] = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert(1)"),
        }
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt="secret")
    canvas.drawString(100, 100, "hello")
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "reason", "status"),
    [
        (lambda pdf: b"GIF89a not a pdf", "not_pdf", 400),
        (lambda pdf: pdf[: pdf.index(b"%%EOF") // 2], "truncated", 400),  # inside the form
        (javascript_pdf, "active_content", 400),
        (lambda pdf: encrypted_pdf(), "encrypted", 400),
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_nothing_is_stored(signed, make, reason, status):
    # given
    data = make(document_read(signed.signed_document))
    documents = SignedDocument.objects.count()

    # when
    response = _upload(Client(), data)

    # then
    assert response.status_code == status
    assert response.json()["reason"] == reason
    assert response.json()["fields"]["file"]
    assert SignedDocument.objects.count() == documents


def test_a_200_mb_upload_is_refused_before_it_is_read(db):
    # given a request declaring 200 MB (the body is never read)
    response = Client().post(
        "/verify/?format=json",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=BOUNDARY",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )

    # then
    assert response.status_code == 413
    assert response.json()["reason"] == "too_large"


def test_an_upload_over_the_limit_is_stopped_while_streaming(settings, db):
    # given a small limit and a larger file whose declared length passes the first check
    settings.SIGNING_UPLOAD_MAX_BYTES = 1000

    # when
    response = _upload(Client(), b"%PDF-" + b"0" * 5000)

    # then
    assert response.status_code == 413
    assert response.json()["reason"] == "too_large"


def test_a_tampered_byte_shows_both_signatures_broken(signed):
    # given
    data = document_read(signed.signed_document)
    position = data.index(b"/MarkInfo") + 1
    tampered = data[:position] + b"X" + data[position + 1 :]

    # when
    report = _upload(Client(), tampered).json()

    # then
    assert report["is_valid"] is False
    assert [s["intact"] for s in report["signatures"]] == [False, False]
    assert report["known_to_platform"] is False


def test_an_unknown_reference_is_a_404(db):
    # when
    response = Client().get("/verify/CN20250101XXXXXXXX/?format=json")

    # then
    assert response.status_code == 404


def test_the_applicant_gets_receipts_that_verify_and_a_forged_one_is_refused(world, signed):
    # given the applicant's receipts
    client = Client()
    client.force_login(world.applicant)
    receipts = client.get(f"/verify/{signed.reference}/receipts.json").json()["receipts"]
    receipt = receipts[0]

    # when
    good = Client().post(
        "/register/verify/", data=json.dumps(receipt), content_type="application/json"
    )
    receipt["event"]["type"] = "delisted"
    forged = Client().post(
        "/register/verify/", data=json.dumps(receipt), content_type="application/json"
    )

    # then
    assert good.status_code == 200
    assert good.json()["event"]["reference"] == signed.reference
    assert forged.status_code == 400
    assert forged.json()["reason"] == "leaf_mismatch"


def test_receipts_and_the_evidence_certificate_are_404_for_strangers(world, signed):
    # given
    client = Client()
    client.force_login(world.stranger)

    # then
    assert client.get(f"/verify/{signed.reference}/receipts.json").status_code == 404
    assert client.get(f"/verify/{signed.reference}/certificate.pdf").status_code == 404


def test_the_evidence_certificate_lists_signatures_and_events(world, signed, tmp_path):
    # given
    client = Client()
    client.force_login(world.applicant)

    # when
    response = client.get(f"/verify/{signed.reference}/certificate.pdf")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert signed.reference in text
    assert "深圳市示例餐饮有限公司" in text
    assert "register: signed" in text
    assert "applicant" in text


def test_checkpoints_are_published_and_consistent(world):
    # given two signed commitments (two register events, two checkpoints)
    submit_commitment(world)
    submit_commitment(world)

    # when
    published = Client().get("/register/checkpoints/").json()
    proof = Client().get("/register/consistency?from=1&to=2").json()
    bad = Client().get("/register/consistency?from=2&to=9")

    # then
    assert published["tree_size"] == 2
    second, first = published["checkpoints"]
    assert verify_consistency(
        first=1,
        second=2,
        first_root=bytes.fromhex(first["root_hash"]),
        second_root=bytes.fromhex(second["root_hash"]),
        proof=[bytes.fromhex(value) for value in proof["proof"]],
    )
    assert bad.status_code == 400


# Verification explains itself ---------------------------------------------------------------


def test_a_file_changed_after_the_seal_says_so_with_a_code(signed):
    # given the stored file with text drawn on it after the seal
    forged = text_drawn_on_first_page(document_read(signed.signed_document))

    # when
    report = _upload(Client(), forged).json()

    # then
    assert report["outcome"] == {
        "code": "changed_after_seal",
        "reason": "The file was changed after the platform sealed it.",
    }
    assert [s["outcome"]["code"] for s in report["signatures"]] == [
        "changed_after_signing",
        "changed_after_seal",
    ]


def test_the_page_gives_the_reason_in_chinese(signed, settings):
    # given a visitor in the default language
    forged = text_drawn_on_first_page(document_read(signed.signed_document))
    settings.LANGUAGE_CODE = "zh-hans"

    # when
    with translation.override("zh-hans"):
        page = Client().post("/verify/", {"file": io.BytesIO(forged)}).content.decode()

    # then
    assert 'data-code="changed_after_seal">文件在平台加盖电子印章后被改动过。' in page
    assert "The file was changed" not in page


def test_the_page_gives_the_reason_in_english(signed):
    page = Client().get(f"/verify/{signed.reference}/").content.decode()

    assert (
        'data-code="valid">Signed and sealed by the platform, and unchanged since: '
        "the file is authentic." in page
    )


def test_a_preview_is_not_signed(world):
    # given the preview the applicant downloads before signing
    draft = commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )
    client = Client()
    client.force_login(world.applicant)
    preview = client.get(f"/commitments/{draft.reference}/preview.pdf").content

    # when
    report = _upload(Client(), preview).json()

    # then
    assert report["outcome"]["code"] == "not_signed"
    assert report["outcome"]["reason"] == "Not signed: this looks like a preview."
    assert report["signatures"] == []


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda pdf: b"GIF89a not a pdf", "malformed_pdf"),
        # Cut inside the rendered form, before its first end marker: half of the whole file
        # can hold the applicant's whole signed revision, once the seal's revision is larger.
        (lambda pdf: pdf[: pdf.index(b"%%EOF") // 2], "malformed_pdf"),
        (javascript_pdf, "active_content"),
        (lambda pdf: encrypted_pdf(), "encrypted_pdf"),
    ],
)
def test_a_refused_upload_carries_its_outcome(signed, make, code):
    response = _upload(Client(), make(document_read(signed.signed_document)))

    assert response.json()["outcome"]["code"] == code
    assert response.json()["outcome"]["reason"]


def test_an_unknown_reference_is_an_unknown_document(db):
    response = Client().get("/verify/CN20250101XXXXXXXX/?format=json")

    assert response.json()["outcome"] == {
        "code": "unknown_document",
        "reason": "No signed commitment has this reference.",
    }


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/register/checkpoints/", {"before": "²"}, "before"),
        ("/register/checkpoints/", {"before": "9" * 30}, "before"),
        ("/register/checkpoints/", {"before": "9" * 5000}, "before"),
        ("/register/proof", {"index": "²", "tree_size": "1"}, "index"),
        ("/register/proof", {"index": "0", "tree_size": "9" * 30}, "tree_size"),
        ("/register/proof", {"index": "9" * 5000, "tree_size": "1"}, "index"),
        ("/register/consistency", {"from": "²", "to": "2"}, "from"),
        ("/register/consistency", {"from": "1", "to": "9" * 30}, "to"),
        ("/register/consistency", {"from": "1", "to": "9" * 5000}, "to"),
        ("/register/consistency", {"from": "1"}, "to"),
    ],
)
def test_register_numbers_are_digits_and_bounded(world, path, query, field):
    response = Client().get(path, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]


def test_register_proof_beyond_the_log_names_its_size(world, english):
    response = Client().get("/register/proof", {"index": "5", "tree_size": "9"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The register holds 0 entries: give 0 ≤ index < tree_size ≤ 0."
    )
