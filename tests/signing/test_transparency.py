"""The transparency log: RFC 9162 hashes and proofs from stored subtrees, signed
checkpoints, receipts verified offline, forged receipts refused."""

from __future__ import annotations

import copy
import hashlib
import json
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command

from signing.errors import ReceiptInvalid
from signing.models import LogLeaf
from signing.transparency import (
    checkpoint_create,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    log_append,
    node_hash,
    receipt_build,
    receipt_verify,
    root_hash,
    salted_digest,
    verify_consistency,
    verify_inclusion,
)
from signing.transparency import platform_root_certificate as root


def _naive_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH, computed the slow obvious way."""
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_naive_root(leaves[:split]), _naive_root(leaves[split:]))


def _leaves(count: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def test_roots_and_proofs_match_rfc_9162_for_every_size_up_to_33():
    # given 33 leaves appended in uneven batches
    leaves = _leaves(33)
    position = 0
    for batch in (1, 2, 5, 1, 8, 3, 13):
        log_append([(value, "signed") for value in leaves[position : position + batch]])
        position += batch

    # then
    for size in range(1, 34):
        expected = _naive_root(leaves[:size])
        assert root_hash(size) == expected
        for index in range(size):
            proof = inclusion_proof(index=index, tree_size=size)
            assert verify_inclusion(
                index=index, tree_size=size, leaf=leaves[index], proof=proof, root=expected
            )
        for first in range(1, size + 1):
            proof = consistency_proof(first=first, second=size)
            assert verify_consistency(
                first=first,
                second=size,
                first_root=_naive_root(leaves[:first]),
                second_root=expected,
                proof=proof,
            )


def test_a_wrong_leaf_or_root_does_not_verify():
    # given
    leaves = _leaves(7)
    log_append([(value, "signed") for value in leaves])
    proof = inclusion_proof(index=3, tree_size=7)
    good_root = root_hash(7)

    # then
    assert verify_inclusion(index=3, tree_size=7, leaf=leaves[3], proof=proof, root=good_root)
    assert not verify_inclusion(index=3, tree_size=7, leaf=leaves[4], proof=proof, root=good_root)
    assert not verify_inclusion(index=2, tree_size=7, leaf=leaves[3], proof=proof, root=good_root)
    assert not verify_consistency(
        first=3,
        second=7,
        first_root=root_hash(2),
        second_root=good_root,
        proof=consistency_proof(first=3, second=7),
    )


def test_an_inclusion_proof_reads_one_query_whatever_the_size(django_assert_num_queries):
    # given
    log_append([(value, "signed") for value in _leaves(1000)])

    # then: the head, the leaves and the stored nodes it needs, in one statement
    with django_assert_num_queries(1):
        proof = inclusion_proof(index=517, tree_size=1000)
    assert len(proof) == 10


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


def test_register_verify_command_checks_a_receipt_file(tmp_path):
    # given a good and a forged receipt on disk
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_receipt()))
    bad_receipt = _receipt()
    bad_receipt["event"]["payload"] = {"finding": "fulfilled"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_receipt))
    out = StringIO()

    # when
    call_command("register_verify", str(good), stdout=out)

    # then
    assert out.getvalue().startswith("Receipt valid: entry 4 of 7, event signed CN1")
    with pytest.raises(CommandError, match="leaf_mismatch"):
        call_command("register_verify", str(bad))


def test_appending_nothing_or_a_bad_hash_changes_nothing():
    # when / then
    with pytest.raises(ValueError):
        log_append([])
    with pytest.raises(ValueError):
        log_append([(b"short", "signed")])
    assert LogLeaf.objects.count() == 0
