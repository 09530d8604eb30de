"""``manage.py signing_init``: create the CA if allowed and print its fingerprint."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.management import CommandError, call_command

from signing.ca.authority import ca_get


def test_signing_init_creates_the_ca_and_prints_its_fingerprint(settings):
    # given
    output = StringIO()

    # when
    call_command("signing_init", stdout=output)

    # then
    fingerprint = ca_get().certificate.fingerprint(hashes.SHA256()).hex().upper()
    lines = output.getvalue().splitlines()
    assert lines[0] == "Created platform CA O=Chengnuo,CN=Chengnuo Platform Root CA"
    assert lines[-1] == "SHA-256 fingerprint: " + ":".join(
        fingerprint[index : index + 2] for index in range(0, 64, 2)
    )


def test_signing_init_reports_an_existing_ca_without_changing_it(settings):
    # given
    fingerprint = ca_get().fingerprint_sha256
    output = StringIO()

    # when
    call_command("signing_init", stdout=output)

    # then
    assert output.getvalue().startswith("Found platform CA")
    assert output.getvalue().splitlines()[-1] == f"SHA-256 fingerprint: {fingerprint}"


def test_signing_init_refuses_when_autocreate_is_off_and_files_are_missing(settings):
    # given
    settings.SIGNING_CA_AUTOCREATE = False

    # when / then
    with pytest.raises(CommandError, match="SIGNING_CA_KEY_PATH"):
        call_command("signing_init", stdout=StringIO())
    assert not Path(settings.SIGNING_CA_KEY_PATH).exists()
