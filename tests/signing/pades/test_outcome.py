"""Each verification outcome, produced by a real PDF: one code per finding, never two."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from signing.ca.authority import ca_clear_cache
from signing.ca.keys import platform_keys_clear_cache
from signing.ca.revocation import certificate_revoke, crl_clear_cache
from signing.errors import SignatureRefused
from signing.pades.outcome import (
    REASONS,
    VerificationCode,
    document_outcome,
    signature_outcome,
    upload_outcome,
    verification_reason,
)
from signing.pades.seal import seal_pdf
from signing.pades.sign import sign_pdf
from signing.pades.upload import inspect_upload
from signing.pades.validate import validate_pdf
from signing.render.commitment import render_commitment_pdf
from signing.tsa import embedded_authority
from tests.signing.forgeries import text_drawn_on_first_page


@pytest.fixture
def rendered(commitment) -> bytes:
    return render_commitment_pdf(commitment)


@pytest.fixture
def signed(rendered, company):
    return sign_pdf(rendered, signer=company, reason="承诺")


@pytest.fixture
def sealed(signed, commitment) -> bytes:
    return seal_pdf(
        signed.data, reference=commitment.reference, verify_url="http://x/verify/CN-1/"
    ).data


@pytest.fixture
def untimed(rendered, company):
    """Signed at B-B: no timestamp."""
    return sign_pdf(rendered, signer=company, reason="承诺", timestamper=None)


def _alone(code: VerificationCode) -> tuple[VerificationCode, list[VerificationCode]]:
    """The outcomes of a file with one signature whose outcome is ``code``."""
    return code, [code]


def _outcomes(pdf: bytes, **validate) -> tuple[VerificationCode, list[VerificationCode]]:
    report = validate_pdf(pdf, **validate)
    return document_outcome(report), [signature_outcome(s) for s in report.signatures]


def _flip_inside_signed_range(pdf: bytes) -> bytes:
    position = pdf.index(b"/MarkInfo") + 1  # the catalogue of the signed revision
    return pdf[:position] + b"X" + pdf[position + 1 :]


def _signature_hex(pdf: bytes) -> tuple[int, int]:
    """Return where the first signature's CMS hex digits start and end (padding excluded)."""
    start = pdf.index(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    return start, len(pdf[start:end].rstrip(b"0")) + start


def test_the_sealed_file_as_the_platform_stored_it_is_valid(sealed):
    assert _outcomes(sealed) == (
        VerificationCode.VALID,
        [VerificationCode.VALID, VerificationCode.VALID],
    )


def test_text_drawn_on_a_sealed_page_is_a_change_after_the_seal(sealed):
    # given the file of the issue: every signature intact and trusted, yet not valid
    forged = text_drawn_on_first_page(sealed)
    report = validate_pdf(forged)
    assert [(s.intact, s.trusted, s.bottom_line) for s in report.signatures] == [
        (True, True, False),
        (True, True, False),
    ]

    # then
    assert _outcomes(forged) == (
        VerificationCode.CHANGED_AFTER_SEAL,
        [VerificationCode.CHANGED_AFTER_SIGNING, VerificationCode.CHANGED_AFTER_SEAL],
    )


def test_a_file_cut_inside_its_last_revision_is_incomplete_not_its_earlier_self(sealed):
    # given the sealed file cut 200 bytes into its last revision (the seal's), whose end
    # marker is gone while the signed revision before it is whole
    previous_end = sealed.rindex(b"%%EOF", 0, len(sealed) - len(b"%%EOF\n"))
    cut = sealed[: previous_end + 200]
    assert len(cut) - previous_end < 1024  # the end marker is where a reader looks for it

    # when it is checked
    with pytest.raises(SignatureRefused) as refused:
        inspect_upload(cut)

    # then it is incomplete (a damaged file, not a signed file without its seal)
    assert refused.value.reason == "truncated"
    assert upload_outcome("truncated") == VerificationCode.MALFORMED_PDF


def test_line_ends_and_padding_after_the_end_marker_are_tolerated(sealed):
    for tail in (b"", b"\r\n", b"\n\x00\x00\x00\n"):
        inspect_upload(sealed + tail)


def test_a_flipped_byte_in_a_sealed_file_is_a_change_after_the_seal(sealed):
    assert _outcomes(_flip_inside_signed_range(sealed))[0] == VerificationCode.CHANGED_AFTER_SEAL


def test_a_flipped_byte_in_a_signed_unsealed_file_is_a_change_after_signing(signed):
    assert _outcomes(_flip_inside_signed_range(signed.data)) == _alone(
        VerificationCode.CHANGED_AFTER_SIGNING
    )


def test_an_unsigned_render_looks_like_a_preview(rendered):
    assert _outcomes(rendered) == (VerificationCode.NOT_SIGNED, [])


def test_a_signed_file_the_platform_has_not_sealed_is_not_sealed(signed):
    assert _outcomes(signed.data) == (VerificationCode.NOT_SEALED, [VerificationCode.VALID])


def test_a_signature_without_timestamp_says_its_timestamp_is_missing(untimed):

    assert _outcomes(untimed.data) == _alone(VerificationCode.TIMESTAMP_MISSING)


def test_an_untimestamped_signature_whose_certificate_expired_says_so(settings, untimed):
    later = datetime.now(UTC) + settings.SIGNING_SIGNER_CERT_VALIDITY + timedelta(minutes=1)

    assert _outcomes(untimed.data, moment=later) == _alone(VerificationCode.EXPIRED_CERTIFICATE)


def _under_a_foreign_ca(settings, tmp_path, make):
    """Run ``make`` with another CA in the platform's place, then restore the platform's."""
    platform_paths = (settings.SIGNING_CA_CERT_PATH, settings.SIGNING_CA_KEY_PATH)
    settings.SIGNING_CA_CERT_PATH = str(tmp_path / "foreign" / "ca.crt")
    settings.SIGNING_CA_KEY_PATH = str(tmp_path / "foreign" / "ca.key")
    for clear in (ca_clear_cache, platform_keys_clear_cache, crl_clear_cache):
        clear()
    try:
        return make()
    finally:
        settings.SIGNING_CA_CERT_PATH, settings.SIGNING_CA_KEY_PATH = platform_paths
        for clear in (ca_clear_cache, platform_keys_clear_cache, crl_clear_cache):
            clear()


def test_a_signature_under_a_ca_the_platform_does_not_trust(settings, tmp_path, rendered, company):
    foreign = _under_a_foreign_ca(
        settings, tmp_path, lambda: sign_pdf(rendered, signer=company, reason="承诺")
    )

    assert _outcomes(foreign.data) == _alone(VerificationCode.UNTRUSTED_CERTIFICATE)


def test_a_timestamp_from_a_foreign_authority_is_not_trusted(settings, tmp_path, rendered, company):
    foreign_tsa = _under_a_foreign_ca(settings, tmp_path, embedded_authority)
    stamped = sign_pdf(rendered, signer=company, reason="承诺", timestamper=foreign_tsa)

    assert _outcomes(stamped.data) == _alone(VerificationCode.TIMESTAMP_UNTRUSTED)


def test_a_revoked_signer_certificate(untimed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(serial_number=untimed.certificate_serial, reason="key compromise")

    assert _outcomes(untimed.data) == _alone(VerificationCode.REVOKED_CERTIFICATE)


def test_a_damaged_signature_cannot_be_read(untimed):
    # given zeros written over the middle of the CMS blob (the certificates it carries)
    start, end = _signature_hex(untimed.data)
    middle = (start + end) // 2
    damaged = untimed.data[:middle] + b"0000" + untimed.data[middle + 4 :]

    assert _outcomes(damaged) == _alone(VerificationCode.SIGNATURE_UNREADABLE)


def test_a_signature_whose_digest_algorithm_is_damaged_cannot_be_read(untimed):
    # given zeros over the CMS's digest algorithm (pyHanko answers an AttributeError)
    start, _end = _signature_hex(untimed.data)
    damaged = untimed.data[: start + 96] + b"0000" + untimed.data[start + 100 :]

    assert _outcomes(damaged) == _alone(VerificationCode.SIGNATURE_UNREADABLE)


def test_a_signature_value_that_does_not_verify(untimed):
    # given a B-B signature: its CMS ends with the ECDSA value; change one of its digits
    _start, end = _signature_hex(untimed.data)
    digit = end - 8
    replacement = b"1" if untimed.data[digit : digit + 1] != b"1" else b"2"
    forged = untimed.data[:digit] + replacement + untimed.data[digit + 1 :]

    assert _outcomes(forged) == _alone(VerificationCode.SIGNATURE_INVALID)


@pytest.mark.parametrize(
    ("refusal", "code"),
    [
        ("not_pdf", VerificationCode.MALFORMED_PDF),
        ("truncated", VerificationCode.MALFORMED_PDF),
        ("encrypted", VerificationCode.ENCRYPTED_PDF),
        ("active_content", VerificationCode.ACTIVE_CONTENT),
        ("too_large", None),
    ],
)
def test_an_upload_refusal_maps_to_one_outcome_or_none(refusal, code):
    assert upload_outcome(refusal) == code


def test_every_code_has_a_plain_reason_in_both_languages():
    for code in VerificationCode:
        with translation.override("en"):
            english = verification_reason(code)
        with translation.override("zh-hans"):
            chinese = verification_reason(code)
        assert re.search(r"[\u4e00-\u9fff]", english) is None, code
        assert re.search(r"[A-Za-z]", chinese.replace("PDF", "")) is None, code
        assert set(REASONS) == set(VerificationCode)
