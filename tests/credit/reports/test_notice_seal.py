"""The repair notice's PDF carries the platform seal (PAdES B-LTA), is stored once,
content-addressed, and the address its QR code holds is a public check that works."""

from __future__ import annotations

import asyncio
import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.test import Client
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from commitments.lifecycle.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from credit.reports import services
from credit.reports.models import SealedRepairNotice
from signing.ca.authority import ca_get
from signing.models import ArchiveTimestamp, SignedDocument
from signing.pades.fields import PLATFORM_SEAL_FIELD
from signing.storage import document_read
from tests.pdf_structure import catalogue, pdfua_findings, structure_roles, untagged_content
from tests.pdf_text import pdf_text
from tests.signing.tsa_server import closed_port_url


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def notice(world, under_verification):
    return commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期未提交材料",
        obligation=under_verification.obligations.get(),
    ).breach.repair_notice


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pyhanko_verdicts(pdf: bytes) -> list[tuple[str, object]]:
    """pyHanko's own AdES LTA validation, offline, trusting only the platform's root
    certificate: every certificate, CRL and timestamp must come from the file itself."""
    root = asn1_x509.Certificate.load(ca_get().certificate.public_bytes(serialization.Encoding.DER))
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=[root]),
                revinfo_policy=CertRevTrustPolicy(
                    RevocationCheckingPolicy(
                        ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                        intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                    )
                ),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    reader = PdfFileReader(io.BytesIO(pdf))

    async def run() -> list[tuple[str, object]]:
        return [
            (signature.field_name, (await ades_lta_validation(signature, spec)).ades_subindic)
            for signature in reader.embedded_regular_signatures
        ]

    return asyncio.run(run())


def test_the_notice_pdf_carries_the_platform_seal_that_pyhanko_validates(world, notice):
    response = _as(world.applicant).get(f"/reports/notices/{notice.reference}.pdf")

    assert response.status_code == 200
    assert _pyhanko_verdicts(response.content) == [(PLATFORM_SEAL_FIELD, AdESPassed.OK)]
    document = SealedRepairNotice.objects.get(notice=notice).document
    assert document_read(document) == response.content  # stored content-addressed, as served
    assert ArchiveTimestamp.objects.filter(document=document, is_renewed=False).exists()


def test_every_reader_gets_the_same_sealed_bytes(world, notice):
    first = _as(world.applicant).get(f"/reports/notices/{notice.reference}.pdf").content
    again = _as(world.regulator).get(f"/reports/notices/{notice.reference}.pdf").content

    assert first == again
    assert SealedRepairNotice.objects.filter(notice=notice).count() == 1


def test_the_sweep_seals_each_notice_once(world, notice):
    assert services.repair_notices_seal_due() == 1
    assert services.repair_notices_seal_due() == 0

    sealed = SealedRepairNotice.objects.get(notice=notice)
    assert sealed.language == "zh-hans"  # one document for every reader, in the platform's
    assert _pyhanko_verdicts(document_read(sealed.document)) == [
        (PLATFORM_SEAL_FIELD, AdESPassed.OK)
    ]


def test_the_sealed_notice_is_a_tagged_pdf_with_the_seal_described(world, notice, tmp_path):
    sealed = services.repair_notice_seal(notice_id=notice.pk)
    data = document_read(sealed.document)

    # the notice in the platform's language, tagged before the seal's revision
    entries = catalogue(data)
    assert (entries["lang"], entries["tabs"], entries["pdfuaid_part"]) == ("zh-CN", {"/S"}, "1")
    # the seal, made in the same revision as its field, is read first with its description
    assert structure_roles(data)[:5] == ["/Document", "/Form", "/Figure", "/Figure", "/H1"]
    assert untagged_content(data) == []
    assert pdfua_findings(data, tmp_path) == []


def test_the_qr_address_printed_on_the_notice_opens_a_check_that_says_genuine(
    world, notice, tmp_path
):
    sealed = services.repair_notice_seal(notice_id=notice.pk)
    data = document_read(sealed.document)
    url = services.repair_notice_verify_url(
        reference=notice.reference, check_code=sealed.check_code
    )
    path = url.split("://", 1)[1].split("/", 1)[1]

    printed = "".join(pdf_text(data, tmp_path, layout=False).split())
    page = Client().get("/" + path)  # no login: anyone holding the notice

    assert url in printed
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-verdict="valid"' in body and notice.reference in body
    assert world.subject.name in body


def test_the_check_tells_a_tampered_or_foreign_file_from_the_sealed_one(world, notice):
    sealed = services.repair_notice_seal(notice_id=notice.pk)
    data = document_read(sealed.document)
    tampered = bytearray(data)
    position = tampered.index(b"/Producer")
    tampered[position + 1] = ord("Q")
    path = f"/reports/notices/verify/{notice.reference}/{sealed.check_code}/"

    def upload(content: bytes):
        return Client().post(path, {"file": io.BytesIO(content)})

    genuine = services.repair_notice_check(
        reference=notice.reference, check_code=sealed.check_code, pdf=data
    )
    assert (genuine.is_genuine, genuine.file_checked) == (True, True)
    assert 'data-verdict="invalid"' in upload(bytes(tampered)).content.decode()
    assert 'data-verdict="valid"' in upload(data).content.decode()


def test_a_wrong_check_code_learns_nothing(world, notice):
    services.repair_notice_seal(notice_id=notice.pk)

    page = Client().get(f"/reports/notices/verify/{notice.reference}/ABCDEFGHJKLM/")

    assert page.status_code == 404
    assert world.subject.name not in page.content.decode()


def test_a_silent_time_stamping_service_leaves_the_notice_unsealed_and_says_so(
    world, notice, settings
):
    settings.SIGNING_TSA_URL = closed_port_url()
    documents = SignedDocument.objects.count()

    response = _as(world.applicant).get(f"/reports/notices/{notice.reference}.pdf")

    assert (response.status_code, response["Retry-After"]) == (503, "60")
    assert 'data-testid="notice-pending"' in response.content.decode()
    assert not SealedRepairNotice.objects.filter(notice=notice).exists()
    assert SignedDocument.objects.count() == documents
    assert services.repair_notices_seal_due() == 0  # the sweep stops and tries again later
