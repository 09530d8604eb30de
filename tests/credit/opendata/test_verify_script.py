"""``scripts/verify_open_data.py``, the consumers' own check, run as they run it: against the
real endpoints served over HTTP, and on saved files, where a changed byte, a foreign root or a
missing certificate is reported clearly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from credit.opendata.selectors import open_data_day_current
from credit.record.services.publicity import breach_publication_end_due
from tests.credit.opendata.conftest import (
    TODAY,
    at,
    build_every_day,
    general_breach,
    stored_day,
)
from tests.credit_seeds import credit_rules_seed
from tests.factories import SubjectFactory

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "verify_open_data.py"
FEED = "/api/v1/open-data/feed.json"
CSV = "/api/v1/open-data/events.csv"
ROWS = r"OK      ([0-9]+) rows: every leaf recomputed, ([0-9]+) with the subject withheld"


def _run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this repository's script, fixed arguments
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _records(world) -> None:
    """A company's record still public, and one whose publication ended (withheld)."""
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(SubjectFactory(name="深圳市到期企业有限公司"), world.regulator)
    breach_publication_end_due(on=ended.publicity_max_until)
    with time_machine.travel(at(ended.publicity_max_until), tick=False):
        general_breach(world.subject, world.regulator)


@pytest.mark.django_db(transaction=True)
def test_the_script_verifies_the_real_endpoints_over_http(live_server, world):
    credit_rules_seed()  # a transactional test before this one may have emptied them
    _records(world)

    days = build_every_day()
    paths = [FEED, *(f"{CSV}?day={day}" for day in days)]
    counted = []

    for path in paths:
        result = _run(f"{live_server.url}{path}")

        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        assert lines[-1] == "open data verified"
        assert any(line.startswith("OK      Chengnuo-Signature verifies") for line in lines)
        assert any(line.startswith("OK      Chengnuo-Signature-Key is") for line in lines)
        assert not any(line.startswith("FAILED") for line in lines)
        counted += [line for line in lines if "every leaf recomputed" in line]
    assert counted[0] == "OK      4 items: every leaf recomputed, 3 with the subject withheld"
    rows = [re.fullmatch(ROWS, line).groups() for line in counted[1:]]
    assert [sum(int(row[0]) for row in rows), sum(int(row[1]) for row in rows)] == [4, 3]


@pytest.fixture
def saved(world, tmp_path) -> Path:
    """A feed page, its headers as ``curl -D`` writes them, and certificate.pem, on disk."""
    _records(world)
    response = Client().get(FEED)
    (tmp_path / "feed.json").write_bytes(response.content)
    (tmp_path / "headers.txt").write_text(
        "HTTP/1.1 200 OK\r\n"
        f"Content-Type: {response['Content-Type']}\r\n"
        f"Chengnuo-Signature: {response['Chengnuo-Signature']}\r\n"
        f"Chengnuo-Signature-Key: {response['Chengnuo-Signature-Key']}\r\n\r\n",
        encoding="latin-1",
    )
    certificates = Client().get("/api/v1/open-data/certificate.pem").content
    (tmp_path / "certificate.pem").write_bytes(certificates)
    root = certificates[certificates.index(b"-----END CERTIFICATE-----") + 26 :]
    (tmp_path / "root.pem").write_bytes(root)
    (tmp_path / "seal.pem").write_bytes(certificates[: -len(root)])
    return tmp_path


def _saved_arguments(folder: Path, body: str = "feed.json", root: str = "root.pem") -> list[str]:
    return [
        "--body",
        str(folder / body),
        "--headers",
        str(folder / "headers.txt"),
        "--certificate",
        str(folder / "certificate.pem"),
        "--root",
        str(folder / root),
    ]


def test_a_saved_page_with_its_headers_verifies_against_the_root(saved):
    result = _run(*_saved_arguments(saved))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "NOTE" not in result.stdout
    assert result.stdout.splitlines()[-1] == "open data verified"


def test_a_changed_byte_fails_and_says_the_body_is_not_the_platforms(saved):
    body = (saved / "feed.json").read_bytes()
    (saved / "changed.json").write_bytes(body.replace(b"publication_ended", b"publication_endex"))

    result = _run(*_saved_arguments(saved, body="changed.json"))

    assert result.returncode == 1
    assert (
        "FAILED  Chengnuo-Signature does not verify: the body is not the one the platform signed"
        in result.stdout.splitlines()
    )
    assert result.stdout.splitlines()[-1] == "open data NOT verified"


def test_a_seal_not_issued_by_the_given_root_fails(saved):
    result = _run(*_saved_arguments(saved, root="seal.pem"))

    assert result.returncode == 1
    assert "FAILED  the seal certificate is not issued by the root certificate" in result.stdout


def test_a_saved_page_without_a_certificate_is_an_input_error(saved):
    result = _run("--body", str(saved / "feed.json"), "--headers", str(saved / "headers.txt"))

    assert result.returncode == 2
    assert result.stderr.strip() == "ERROR   a saved body needs --certificate"


def test_a_day_file_verifies_with_its_stored_signature_and_a_changed_byte_fails(saved):
    [day, *_later] = build_every_day()
    current = open_data_day_current(day=day)
    body = stored_day(day)
    stored = saved / "day.csv"
    stored.write_bytes(body)
    headers = saved / "day-headers.txt"
    headers.write_text(
        f"Chengnuo-Signature: {current.signature}\r\n"
        f"Chengnuo-Signature-Key: {current.certificate_sha256}\r\n",
        encoding="ascii",
    )
    changed = bytearray(body)
    changed[len(body) // 2] ^= 0x01
    (saved / "changed.csv").write_bytes(bytes(changed))
    arguments = ["--certificate", str(saved / "certificate.pem"), "--root", str(saved / "root.pem")]

    good = _run("--body", str(stored), "--headers", str(headers), *arguments)
    bad = _run("--body", str(saved / "changed.csv"), "--headers", str(headers), *arguments)

    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.splitlines()[-1] == "open data verified"
    assert f"OK      Chengnuo-Signature verifies over the {len(body)} bytes of the body" in (
        good.stdout.splitlines()
    )
    assert bad.returncode == 1
    assert (
        "FAILED  Chengnuo-Signature does not verify: the body is not the one the platform signed"
        in bad.stdout.splitlines()
    )
