"""``manage.py open_data_days_import``: the day files earlier versions built in a local folder
go into the document store, once, signature and all; a file the seal did not sign is refused,
one that names someone withheld since is left out for a rebuild."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from credit.opendata.models import OpenDataDay, OpenDataDayFile
from credit.opendata.selectors import open_data_day_current
from credit.opendata.services.days import open_data_days_build
from credit.record.services.publicity import breach_publication_end_due
from signing.storage import storage_backend
from tests.credit.opendata.conftest import TODAY, at, general_breach, stored_day
from tests.credit_seeds import credit_rules_seed

NEXT_DAY = TODAY + dt.timedelta(days=1)
CSV = "/api/v1/open-data/events.csv"


@pytest.fixture
def legacy(db, settings, tmp_path) -> Path:
    """A store of the test's own, and the folder where an earlier version built day files
    (the credit rules seeded: a transactional test before this one may have emptied them)."""
    credit_rules_seed()
    settings.SIGNING_DOCUMENT_ROOT = str(tmp_path / "documents")
    settings.OPEN_DATA_ROOT = str(tmp_path / "opendata")
    return tmp_path / "opendata"


def _built_by_an_earlier_version(folder: Path, day: dt.date) -> tuple[bytes, str]:
    """Leave the day as an earlier version did: its CSV and ``.sig`` (the signature headers)
    in a local folder, nothing in the store or the database. Returns the bytes, signature."""
    current = open_data_day_current(day=day)
    body = stored_day(day)
    folder.mkdir(exist_ok=True)
    (folder / f"events-{day}.csv").write_bytes(body)
    (folder / f"events-{day}.csv.sig").write_bytes(
        f"Chengnuo-Signature: {current.signature}\r\n"
        f"Chengnuo-Signature-Key: {current.certificate_sha256}\r\n"
        f"Chengnuo-Built-Through-Leaf: {current.built_through}\r\n".encode("ascii")
    )
    storage_backend().delete(current.key)
    OpenDataDay.objects.filter(day=day).update(current=None)
    OpenDataDayFile.objects.filter(day__day=day).delete()
    OpenDataDay.objects.filter(day=day).delete()
    return body, current.signature


def _import(*arguments: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("open_data_days_import", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_day_files_are_imported_once_and_served_as_they_were_signed(world, legacy):
    # Given a day an earlier version built in its local folder
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    body, signature = _built_by_an_earlier_version(legacy, TODAY)

    # When it is imported, twice
    first, _ = _import()
    second, _ = _import()

    # Then the store holds it once, and the endpoint serves the same bytes and signature
    assert first.splitlines()[-1] == "1 imported, 0 already in the store, 0 left out, 0 refused."
    assert second.splitlines()[-1] == "0 imported, 1 already in the store, 0 left out, 0 refused."
    assert OpenDataDayFile.objects.count() == 1
    response = Client().get(CSV, {"day": TODAY.isoformat()})
    assert b"".join(response.streaming_content) == body
    assert response["Chengnuo-Signature"] == signature
    assert open_data_day_current(day=TODAY).built_through is not None
    # and the hourly run leaves it alone
    assert open_data_days_build(now=at(NEXT_DAY)) == 0


def test_a_file_the_seal_did_not_sign_is_refused_and_the_day_is_built_anew(world, legacy):
    with time_machine.travel(at(TODAY), tick=False):
        general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    body, _signature = _built_by_an_earlier_version(legacy, TODAY)
    (legacy / f"events-{TODAY}.csv").write_bytes(body.replace(b"\r\n", b"\n", 1))

    out, err = _import()

    assert err.strip() == f"{TODAY} refused: the seal's signature does not verify over the file"
    assert out.splitlines()[-1] == "0 imported, 0 already in the store, 0 left out, 1 refused."
    assert not OpenDataDay.objects.exists()
    assert open_data_days_build(now=at(NEXT_DAY)) == 1


def test_a_file_naming_someone_withheld_since_is_left_out_and_removed_on_request(
    world, legacy, django_capture_on_commit_callbacks
):
    # Given a day file naming a subject, built before the subject was withheld
    with time_machine.travel(at(TODAY), tick=False):
        ended = general_breach(world.subject, world.regulator)
    open_data_days_build(now=at(NEXT_DAY))
    _built_by_an_earlier_version(legacy, TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        breach_publication_end_due(on=ended.publicity_max_until)

    # When it is imported with --remove
    out, _ = _import("--remove")

    # Then it is not imported, the local files are gone, and the next run builds the day
    # without the name
    assert f"{TODAY} left out: names someone withheld since; rebuilt next run" in out
    assert not OpenDataDay.objects.exists()
    assert list(legacy.iterdir()) == []
    assert open_data_days_build(now=at(NEXT_DAY)) == 1
    assert world.subject.name not in stored_day(TODAY).decode("utf-8-sig")


def test_no_folder_is_nothing_to_import(db, legacy):
    out, _ = _import()

    assert out.strip() == f"No folder {legacy}: nothing to import."
