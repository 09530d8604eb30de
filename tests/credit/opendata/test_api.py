"""The public open data feed and its CSV: every event once, masked for natural persons, signed
as served — checked with OpenSSL and the ``cryptography`` library, not the code that signs —
each item proven in the transparency log, and every bad input refused with the envelope."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from credit.opendata.models import OpenDataEvent
from credit.opendata.services.days import open_data_days_build
from credit.record.services.publicity import breach_publication_end_due
from signing.storage import storage_backend
from tests.credit.opendata.conftest import (
    PERSON_ID,
    TODAY,
    at,
    build_every_day,
    general_breach,
)

NEXT_DAY = TODAY + dt.timedelta(days=1)

FEED = "/api/v1/open-data/feed.json"
CSV = "/api/v1/open-data/events.csv"
CERTIFICATES = "/api/v1/open-data/certificate.pem"


def _get(path: str, **query):
    return Client().get(path, query)  # nobody logged in, no token


def _csv(**query) -> tuple[object, bytes]:
    """A day's CSV response and its streamed body."""
    response = _get(CSV, **query)
    return response, b"".join(response.streaming_content)


def _dump() -> str:
    """Every day's CSV, built by the daily job, as one text."""
    return "".join(_csv(day=day.isoformat())[1].decode("utf-8-sig") for day in build_every_day())


def _certificates() -> tuple[x509.Certificate, x509.Certificate]:
    seal, root = x509.load_pem_x509_certificates(_get(CERTIFICATES).content)
    return seal, root


def _verify(body: bytes, signature_header: str, seal: x509.Certificate) -> None:
    """Raise InvalidSignature unless the header's signature covers exactly ``body``."""
    seal.public_key().verify(base64.b64decode(signature_header), body, ec.ECDSA(hashes.SHA256()))


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _leaf(salt_hex: str, event: dict) -> bytes:
    inner = hashlib.sha256(bytes.fromhex(salt_hex) + _canonical(event)).digest()
    return hashlib.sha256(b"\x00" + inner).digest()


def _opens(name: str, code: str | None, salt_hex: str) -> str:
    """The subject commitment that a disclosure opens (docs/open-data.md), hex."""
    opened = _canonical({"name": name, "code": code})
    return hashlib.sha256(bytes.fromhex(salt_hex) + opened).hexdigest()


def _root_from_proof(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, written out here rather than imported from the register."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        assert sn > 0
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    assert sn == 0
    return r


def _all_items(limit: int = 4) -> list[dict]:
    items, response = [], _get(FEED, limit=limit)
    while True:
        assert response.status_code == 200
        feed = json.loads(response.content)
        items.extend(feed["items"])
        if not feed["_chengnuo"]["has_more"]:
            assert "next_url" not in feed
            return items
        response = Client().get(feed["next_url"])


def test_the_feed_pages_every_event_once_oldest_first(history):
    items = _all_items(limit=4)

    indexes = [item["_chengnuo"]["leaf_index"] for item in items]
    assert indexes == sorted(set(indexes))
    assert indexes == list(
        OpenDataEvent.objects.order_by("leaf_index").values_list("leaf_index", flat=True)
    )
    assert {item["_chengnuo"]["event"]["kind"] for item in items} == set(OpenDataEvent.Kind.values)
    first = json.loads(_get(FEED).content)
    assert first["version"] == "https://jsonfeed.org/version/1.1"
    public = history.suspended_then_resumed.pk
    [named] = [i for i in items if i["_chengnuo"]["event"]["record"] == public][:1]
    assert named["title"] == f"公示开始：{history.company.name}"
    assert first["items"][0]["title"] == f"公示开始：记录 {history.ended.pk}，名称不再公开"
    english = json.loads(Client(headers={"accept-language": "en"}).get(FEED).content)
    assert english["items"][0]["title"] == (
        f"Publication started: record {history.ended.pk}, name withheld"
    )
    after = _get(FEED, cursor=indexes[-2])
    assert [i["_chengnuo"]["leaf_index"] for i in json.loads(after.content)["items"]] == [
        indexes[-1]
    ]


def test_a_natural_person_is_masked_in_the_feed_and_the_csv(history):
    feed, dump = _get(FEED, limit=500).content, _dump()

    for body in (feed.decode(), dump):
        assert "张**" in body
        assert PERSON_ID not in body
        assert PERSON_ID[:6] not in body
        assert "张三丰" not in body
    assert history.company.code in feed.decode()


def test_the_feed_signature_verifies_with_openssl_and_a_tampered_byte_fails(history, tmp_path):
    response = _get(FEED, limit=500)
    seal, root = _certificates()
    body, signature = response.content, response["Chengnuo-Signature"]

    seal.verify_directly_issued_by(root)
    assert response["Chengnuo-Signature-Key"] == seal.fingerprint(hashes.SHA256()).hex()
    _verify(body, signature, seal)
    tampered = bytearray(body)
    tampered[len(body) // 2] ^= 0x01
    with pytest.raises(InvalidSignature):
        _verify(bytes(tampered), signature, seal)

    openssl = shutil.which("openssl")
    assert openssl is not None
    (tmp_path / "feed.json").write_bytes(body)
    (tmp_path / "tampered.json").write_bytes(bytes(tampered))
    (tmp_path / "feed.sig").write_bytes(base64.b64decode(signature))
    (tmp_path / "seal.pub").write_bytes(
        seal.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )

    def openssl_verify(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - fixed arguments, files of this test
            [openssl, "dgst", "-sha256", "-verify", "seal.pub", "-signature", "feed.sig", name],
            cwd=Path(tmp_path),
            capture_output=True,
            text=True,
            check=False,
        )

    good, bad = openssl_verify("feed.json"), openssl_verify("tampered.json")
    assert (good.returncode, good.stdout.strip()) == (0, "Verified OK")
    assert (bad.returncode, bad.stdout.strip()) == (1, "Verification failure")


def test_each_day_csv_is_utf8_with_a_bom_signed_when_built(history):
    seal, _root = _certificates()
    rows = []

    for day in build_every_day():
        response, body = _csv(day=day.isoformat())
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'inline; filename="events-{day}.csv"'
        assert body.startswith(b"\xef\xbb\xbf")
        digest = hashlib.sha256(body).digest()
        assert response["ETag"] == f'"{digest.hex()}"'
        assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
        assert int(response["Content-Length"]) == len(body)
        _verify(body, response["Chengnuo-Signature"], seal)
        with pytest.raises(InvalidSignature):
            _verify(
                body[:-3] + bytes([body[-3] ^ 0x01]) + body[-2:],
                response["Chengnuo-Signature"],
                seal,
            )
        day_rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        indexes = [int(row["leaf_index"]) for row in day_rows]
        assert indexes == sorted(indexes)  # log order within the day
        rows += day_rows
    # every event once, in the file of the day the log recorded it
    assert sorted(int(row["leaf_index"]) for row in rows) == list(
        OpenDataEvent.objects.order_by("leaf_index").values_list("leaf_index", flat=True)
    )
    for row in rows:
        assert _leaf(row["salt"], json.loads(row["event_json"])).hex() == row["leaf_hash"]
        if row["subject_salt"]:
            assert (
                _opens(row["subject_name"], row["subject_code"] or None, row["subject_salt"])
                == (json.loads(row["event_json"])["subject"]["commitment"])
            )
    repaired = [row for row in rows if row["kind"] == "record_repaired"]
    assert [
        (r["subject_kind"], r["subject_name"], r["subject_code"], r["subject_salt"])
        for r in repaired
    ] == [("person", "", "", "")]
    [public] = [r for r in rows if r["record"] == str(history.person_public.pk)]
    assert (public["subject_kind"], public["subject_name"], public["subject_code"]) == (
        "person",
        "张**",
        "",
    )


def test_an_item_is_proven_in_the_signed_checkpoint_of_the_log(history):
    seal, _root = _certificates()
    items = json.loads(_get(FEED, limit=500).content)["items"]
    [item] = [i for i in items if i["_chengnuo"]["event"]["kind"] == "record_repaired"]
    extension = item["_chengnuo"]
    checkpoint = extension["checkpoint"]

    leaf = _leaf(extension["salt"], extension["event"])
    assert leaf.hex() == extension["leaf_hash"]
    root = bytes.fromhex(checkpoint["root_hash"])
    signed_text = (
        f"{checkpoint['origin']}\n{checkpoint['tree_size']}\n"
        f"{base64.b64encode(root).decode()}\n{checkpoint['timestamp']}\n"
    ).encode()
    seal.public_key().verify(
        base64.b64decode(checkpoint["signature"]), signed_text, ec.ECDSA(hashes.SHA256())
    )
    proof = _get(
        "/register/proof", index=extension["leaf_index"], tree_size=checkpoint["tree_size"]
    ).json()["proof"]
    assert (
        _root_from_proof(
            extension["leaf_index"],
            checkpoint["tree_size"],
            leaf,
            [bytes.fromhex(p) for p in proof],
        )
        == root
    )
    forged = dict(extension["event"], subject={"kind": "person", "commitment": "00" * 32})
    assert _leaf(extension["salt"], forged) != leaf


def test_a_record_no_longer_public_no_longer_names_its_subject_anywhere(history):
    feed, dump = _get(FEED, limit=500), _dump()
    items = json.loads(feed.content)["items"]
    announcements = {
        i["_chengnuo"]["leaf_index"]: i
        for i in items
        if i["_chengnuo"]["event"]["kind"] == "subject_withheld"
    }

    for name in (history.extra["red_company"].name, history.extra["defaulter"].name):
        assert name not in feed.content.decode()
        assert name not in dump
    for item in items:
        extension = item["_chengnuo"]
        assert _leaf(extension["salt"], extension["event"]).hex() == extension["leaf_hash"]
        if extension["withheld_by"] is not None:
            assert extension["subject"] is None
            announcement = announcements[extension["withheld_by"]]["_chengnuo"]["event"]
            assert extension["leaf_index"] in announcement["withheld"]
        elif extension["subject"] is not None:
            subject = extension["subject"]
            assert (
                _opens(subject["name"], subject["code"], subject["salt"])
                == (extension["event"]["subject"]["commitment"])
            )
    titles = {
        (i["_chengnuo"]["event"]["kind"], i["_chengnuo"]["event"]["list_entry"]): i["title"]
        for i in items
    }
    red = history.red_entry.pk
    assert titles[("list_entered", red)] == f"列入名单：名单记录 {red}，名称不再公开"
    assert titles[("commitment_withdrawn", None)] == (
        f"承诺撤回：{history.withdrawn_reference}，名称不再公开"
    )
    kinds = [i["_chengnuo"]["event"]["kind"] for i in items if i["_chengnuo"]["subject"]]
    assert sorted(set(kinds)) == [
        "publication_resumed",
        "publication_started",
        "publication_suspended",
    ]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        (FEED, {"cursor": "abc"}, "cursor"),
        (FEED, {"cursor": "-1"}, "cursor"),
        (FEED, {"cursor": "99999999"}, "cursor"),
        (FEED, {"limit": "0"}, "limit"),
        (FEED, {"limit": "501"}, "limit"),
        (FEED, {"since": "2026-13-01"}, "since"),
        (FEED, {"until": "7 December"}, "until"),
        (FEED, {"since": "2026-12-08", "until": "2026-12-07"}, "since"),
        (CSV, {"day": "20261207"}, "day"),
        (CSV, {"day": "2026-02-30"}, "day"),
        (FEED, {"until": "2026-W49-1"}, "until"),
        (FEED, {"until": ""}, "until"),
        (FEED, {"cursor": ""}, "cursor"),
        (CSV, {"day": ""}, "day"),
        (CSV, {"day": "２０２６-１２-０７"}, "day"),
    ],
)
def test_bad_input_is_refused_with_the_envelope_naming_the_field(db, path, query, field):
    response = _get(path, **query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    assert body["fields"][field][0]
    assert "Chengnuo-Signature" not in response


def test_an_empty_feed_is_a_signed_empty_page(db):
    response = _get(FEED)

    assert response.status_code == 200
    feed = json.loads(response.content)
    assert (feed["items"], feed["_chengnuo"]["has_more"]) == ([], False)
    seal, _root = _certificates()
    _verify(response.content, response["Chengnuo-Signature"], seal)


def test_the_csv_is_the_latest_day_built_unless_a_day_is_given(history):
    days = build_every_day()

    response, body = _csv()

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="events-{days[-1]}.csv"'
    assert body == _csv(day=days[-1].isoformat())[1]
    assert body != _csv(day=days[0].isoformat())[1]


@pytest.mark.parametrize("query", [{}, {"day": "2026-12-07"}])
def test_a_day_not_built_is_a_404_in_the_envelope(db, query):
    response = _get(CSV, **query)

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert list(body["fields"]) == ["day"]
    assert "Chengnuo-Signature" not in response


@pytest.mark.parametrize("moment", ["before its object is opened", "after it is opened"])
def test_a_reader_gets_the_signature_of_exactly_the_csv_bytes_served_across_a_rebuild(
    world, monkeypatch, django_capture_on_commit_callbacks, moment
):
    # Given a built day naming a subject
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    seal, _root = _certificates()
    backend = storage_backend()
    open_object = backend.open
    rebuilds = []

    def withheld_and_rebuilt() -> None:
        rebuilds.append(TODAY)
        with django_capture_on_commit_callbacks(execute=True):
            breach_publication_end_due(on=ended.publicity_max_until)
        assert open_data_days_build(now=at(NEXT_DAY)) == 1

    def open_while_rebuilt(key):
        if rebuilds:
            return open_object(key)
        if moment == "after it is opened":
            body = open_object(key)
            withheld_and_rebuilt()
            return body
        withheld_and_rebuilt()  # the pointer was read, its object is deleted meanwhile
        return open_object(key)

    monkeypatch.setattr(backend, "open", open_while_rebuilt)

    # When a reader asks for the day while it is withheld, discarded and rebuilt
    response, body = _csv(day=TODAY.isoformat())

    # Then it gets bytes with their own signature, never an old signature with new bytes:
    # the rebuilt bytes if it had not opened the object yet, else the bytes it opened
    assert rebuilds == [TODAY]
    assert response.status_code == 200
    _verify(body, response["Chengnuo-Signature"], seal)
    assert response["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    named = world.subject.name in body.decode("utf-8-sig")
    assert named is (moment == "after it is opened")
