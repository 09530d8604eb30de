"""``manage.py register_verify``: check a receipt file offline."""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from signing.register.merkle import leaf_hash, salted_digest
from signing.register.receipts import receipt_build
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
