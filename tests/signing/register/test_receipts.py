"""Receipts verify offline against the root; every forgery is refused with the failed check."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from signing.errors import ReceiptInvalid
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.receipts import platform_root_certificate as root
from signing.register.receipts import receipt_build, receipt_verify
from signing.register.services import checkpoint_create, log_append


def _leaves(count: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def _receipt() -> dict:
    event = {"type": "signed", "reference": "CN1", "subject": "91", "time": "t", "payload": {}}
    salt = b"\x07" * 32
    log_append([(value, "listed") for value in _leaves(4)])
    appended = log_append([(leaf_hash(salted_digest(salt=salt, event=event)), "signed")])
    log_append([(value, "listed") for value in _leaves(2)])
    checkpoint = checkpoint_create()
    return receipt_build(index=appended.first_index, salt=salt, event=event, checkpoint=checkpoint)


def test_a_receipt_verifies_offline_against_the_root():
    # given
    receipt = json.loads(json.dumps(_receipt()))  # as the subject downloads it

    # when
    verified = receipt_verify(receipt, root_certificate=root())

    # then
    assert verified.leaf_index == 4
    assert verified.tree_size == 7
    assert verified.event["reference"] == "CN1"


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda r: r["event"].update(reference="CN2"), "leaf_mismatch"),
        (lambda r: r.update(salt="00" * 32), "leaf_mismatch"),
        (lambda r: r["inclusion_proof"].reverse(), "proof"),
        (lambda r: r.update(leaf_index=3), "proof"),
        (lambda r: r["checkpoint"].update(tree_size=8), "bad_signature"),
        (lambda r: r["checkpoint"].update(root_hash="00" * 32), "bad_signature"),
        (lambda r: r.update(version=2), "malformed"),
        (lambda r: r["checkpoint"].update(signature="!!"), "malformed"),
    ],
)
def test_a_forged_receipt_is_refused_with_the_failed_check(forge, reason):
    # given
    receipt = copy.deepcopy(_receipt())
    forge(receipt)

    # when / then
    with pytest.raises(ReceiptInvalid) as raised:
        receipt_verify(receipt, root_certificate=root())
    assert raised.value.reason == reason


def test_a_checkpoint_signed_by_another_key_is_refused():
    # given a receipt whose checkpoint a forger re-signed with a self-made certificate
    receipt = _receipt()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Chengnuo Platform Seal")])
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    forged = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives import serialization

    receipt["checkpoint"]["certificate"] = forged.public_bytes(serialization.Encoding.PEM).decode()

    # when / then
    with pytest.raises(ReceiptInvalid) as raised:
        receipt_verify(receipt, root_certificate=root())
    assert raised.value.reason == "untrusted_certificate"
