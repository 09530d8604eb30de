"""Writing the open data feed: one event per public change of the record, appended to the
transparency log in the caller's transaction, with a checkpoint signed over it.

The record's services (``credit.record.services``) and the withdrawal of a commitment call
``open_data_event_record`` where the change happens, so the event commits or rolls back with
the change itself. The event holds only what may be public (ADR 0030): a company's name and
unified social credit code; a natural person's masked name and no identifier; codes of the
category, rule set, department and list; dates. No free text is published.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from credit.opendata import selectors
from credit.opendata.models import OpenDataEvent
from directory.identifiers import mask_person_name
from directory.models import Subject
from signing.ca.keys import platform_key
from signing.files import exclusive_lock, fsync_directory, write_once
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.receipts import platform_root_certificate
from signing.register.services import checkpoint_create, log_append

EVENT_VERSION = 2
# The kinds that open a record's or a list entry's story in the feed.
FIRST_KINDS = (OpenDataEvent.Kind.PUBLICATION_STARTED, OpenDataEvent.Kind.LIST_ENTERED)


@dataclass(frozen=True)
class SubjectDisclosure:
    """What the feed may say about a subject, and the salted commitment to it that the log
    holds instead: a company in full, a person masked, never an identity number."""

    kind: str
    name: str
    code: str
    salt: bytes

    @classmethod
    def of(cls, subject: Subject) -> SubjectDisclosure:
        salt = secrets.token_bytes(32)
        if subject.kind == Subject.Kind.COMPANY:
            return cls(kind="company", name=subject.name, code=subject.code, salt=salt)
        return cls(kind="person", name=mask_person_name(subject.name), code="", salt=salt)

    @property
    def commitment(self) -> str:
        """SHA-256(salt || canonical JSON of {"name", "code"}), hex (``code`` null for a person)."""
        opened = {"name": self.name, "code": self.code or None}
        return salted_digest(salt=self.salt, event=opened).hex()


def open_data_is_withheld(*, record_id: int | None, list_entry_id: int | None) -> bool:
    """Whether the feed already withheld the subject of this record's (or entry's) items."""
    withheld = OpenDataEvent.objects.filter(kind=OpenDataEvent.Kind.SUBJECT_WITHHELD)
    if list_entry_id is not None:
        return withheld.filter(list_entry_id=list_entry_id).exists()
    if record_id is not None:
        return withheld.filter(record_id=record_id, list_entry_id__isnull=True).exists()
    return False


def open_data_event_record(
    *,
    kind: str,
    subject: Subject,
    effective_on: date,
    details: dict,
    record_id: int | None = None,
    list_entry_id: int | None = None,
    reference: str = "",
    by: AbstractBaseUser | None = None,
    is_withheld: bool = False,
) -> OpenDataEvent:
    """Append one open-data event to the log, sign a checkpoint over it and store it.

    Runs inside the caller's transaction (the change it reports): the log's head stays locked
    until that commits, so leaf indexes follow commit order and a reader paging by leaf index
    never skips an event. ``details`` must be JSON-serialisable and hold nothing personal.
    The event names its subject by a salted commitment; the name and code that open it are
    kept for the feed unless ``is_withheld`` or the record's subject was already withheld.
    """
    if kind not in OpenDataEvent.Kind.values:
        raise ValueError(f"Unknown open data event {kind!r}.")
    now = timezone.now()
    disclosure = SubjectDisclosure.of(subject)
    event = {
        "version": EVENT_VERSION,
        "kind": kind,
        "time": now.isoformat(),
        "effective_on": effective_on.isoformat(),
        "subject": {"kind": disclosure.kind, "commitment": disclosure.commitment},
        "record": record_id,
        "list_entry": list_entry_id,
        "reference": reference or None,
        **details,
    }
    # A record's or an entry's first event cannot follow its withholding: no query for it.
    is_withheld = is_withheld or (
        kind not in FIRST_KINDS
        and open_data_is_withheld(record_id=record_id, list_entry_id=list_entry_id)
    )
    salt = secrets.token_bytes(32)
    appended = log_append([(leaf_hash(salted_digest(salt=salt, event=event)), "open_data")])
    checkpoint = checkpoint_create(tree_size=appended.tree_size, root=appended.root_hash)
    row = OpenDataEvent(
        kind=kind,
        subject=subject,
        record_id=record_id,
        list_entry_id=list_entry_id,
        reference=reference,
        effective_on=effective_on,
        actor=by,
        event=event,
        salt=salt.hex(),
        subject_name="" if is_withheld else disclosure.name,
        subject_code="" if is_withheld else disclosure.code,
        subject_salt="" if is_withheld else disclosure.salt.hex(),
        leaf_index=appended.first_index,
        checkpoint=checkpoint,
        created_at=now,
    )
    row.full_clean()
    row.save()
    return row


def open_data_withhold(
    *,
    record_id: int | None = None,
    list_entry_ids: tuple[int, ...] = (),
    on: date,
    by: AbstractBaseUser | None,
) -> OpenDataEvent | None:
    """Stop naming the subject in the items of a record no longer public, and announce it.

    Withholds the record's own items (``record_id``, no list entry) and the items of the list
    entries ``list_entry_ids`` (designations that ended): their name, code and the salt that
    opens the subject's commitment are erased, so neither the feed nor this database can say
    again whom the item was about, while every leaf still verifies. The change is itself an
    event (``subject_withheld``, listing the leaf indexes), which later events of the record
    see: they are written withheld. Returns that event, or None when nothing was still named.
    """
    match = Q(list_entry_id__in=list_entry_ids)
    if record_id is not None:
        match |= Q(record_id=record_id, list_entry_id__isnull=True)
    rows = list(
        OpenDataEvent.objects.select_for_update(of=("self",))
        .filter(match)
        .exclude(subject_salt="")
        .select_related("subject")
        .order_by("leaf_index")
    )
    if not rows:
        return None
    announcement = open_data_event_record(
        kind=OpenDataEvent.Kind.SUBJECT_WITHHELD,
        subject=rows[0].subject,
        effective_on=on,
        record_id=record_id if record_id is not None else rows[0].record_id,
        list_entry_id=list_entry_ids[0] if record_id is None and len(list_entry_ids) == 1 else None,
        details={"withheld": [row.leaf_index for row in rows]},
        by=by,
        is_withheld=True,
    )
    for row in rows:
        row.subject_name = row.subject_code = row.subject_salt = ""
        row.withheld_by = announcement
        row.save(update_fields=["subject_name", "subject_code", "subject_salt", "withheld_by"])
    # The daily CSV files of those items' days named the subject too: once the withholding
    # commits they are discarded, and the hourly build writes them again without the name.
    days = {timezone.localdate(row.created_at) for row in rows}
    transaction.on_commit(lambda: open_data_days_discard(days=days))
    return announcement


@dataclass(frozen=True)
class SignedBody:
    """Bytes as served, with the detached signature over exactly them."""

    body: bytes
    signature: str  # base64 of the DER ECDSA P-256 / SHA-256 signature
    certificate_sha256: str  # hex fingerprint (DER) of the certificate that verifies it


def open_data_sign(body: bytes) -> SignedBody:
    """Sign served bytes with the platform seal key (the key that signs register checkpoints)."""
    signed = open_data_sign_digest(hashlib.sha256(body).digest())
    return SignedBody(
        body=body, signature=signed.signature, certificate_sha256=signed.certificate_sha256
    )


def open_data_sign_digest(digest: bytes) -> SignedBody:
    """Sign bytes known by their SHA-256 alone (a file hashed as it was written): the same
    ECDSA P-256 / SHA-256 signature ``open_data_sign`` makes over the bytes themselves."""
    key = platform_key("seal")
    signature = key.private_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    fingerprint = key.certificate.fingerprint(hashes.SHA256()).hex()
    return SignedBody(
        body=b"",
        signature=base64.b64encode(signature).decode("ascii"),
        certificate_sha256=fingerprint,
    )


def open_data_certificates() -> bytes:
    """The seal certificate and the platform root that issued it, PEM, seal first."""
    seal = platform_key("seal").certificate.public_bytes(serialization.Encoding.PEM)
    root = platform_root_certificate().public_bytes(serialization.Encoding.PEM)
    return seal + root


SIGNATURE_HEADER = "Chengnuo-Signature"
KEY_HEADER = "Chengnuo-Signature-Key"
CSV_COLUMNS = [
    "leaf_index",
    "kind",
    "time",
    "effective_on",
    "subject_kind",
    "subject_name",
    "subject_code",
    "subject_salt",
    "record",
    "list_entry",
    "reference",
    "withheld_by",
    "checkpoint_tree_size",
    "leaf_hash",
    "salt",
    "event_json",
]
# Rows read from the database at a time, and written to the file between two flushes of the
# text buffer: memory stays flat whatever the day's number of events.
CSV_ROWS_PER_WRITE = 500


def open_data_leaf_hash(event: OpenDataEvent) -> str:
    """The event's leaf in the transparency log, hex, recomputed from what is served."""
    return leaf_hash(salted_digest(salt=bytes.fromhex(event.salt), event=event.event)).hex()


def open_data_csv_row(event: OpenDataEvent) -> list:
    """One event as a row of the CSV (``CSV_COLUMNS``)."""
    return [
        event.leaf_index,
        event.kind,
        event.event["time"],
        event.effective_on.isoformat(),
        event.event["subject"]["kind"],
        event.subject_name,
        event.subject_code,
        event.subject_salt,
        event.record_id or "",
        event.list_entry_id or "",
        event.reference,
        event.withheld_by.leaf_index if event.withheld_by_id else "",
        event.checkpoint.tree_size,
        open_data_leaf_hash(event),
        event.salt,
        json.dumps(event.event, ensure_ascii=False, sort_keys=True),
    ]


def open_data_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the next, in the platform's time zone."""
    midnight = datetime.min.time()
    start = timezone.make_aware(datetime.combine(day, midnight))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), midnight))


def open_data_day_build(*, day: date) -> bool:
    """Write the CSV of the events the log recorded on ``day`` and its detached signature,
    once; return whether this call wrote them (False: the day was already built).

    The rows stream from the database into a temporary file in ``CSV_ROWS_PER_WRITE`` batches
    and are hashed as written, so memory does not grow with the day's events; the seal signs
    the SHA-256 (the same signature as over the bytes). The file is fsynced and renamed into
    place, then the signature file, written once, marks the day finished: a later run, or a
    concurrent one (a lock serialises builds), leaves a finished day's bytes alone.
    """
    day_file = selectors.open_data_day_file_paths(day=day)
    if day_file.signature.exists():
        return False
    day_file.csv.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    with exclusive_lock(day_file.csv.parent / ".build.lock"):
        if day_file.signature.exists():
            return False
        # read before the rows: a withholding committed later has a larger leaf index (the
        # log's head is locked until commit), so the reconciliation sees it came after
        through = selectors.open_data_last_leaf()
        start, end = open_data_day_bounds(day)
        events = selectors.open_data_events(recorded_from=start, recorded_before=end)
        descriptor, temporary = tempfile.mkstemp(
            dir=day_file.csv.parent, prefix=f".{day_file.csv.name}."
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                digest = _csv_stream(events, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o440)
            os.replace(temporary, day_file.csv)
        except BaseException:
            os.unlink(temporary)
            raise
        fsync_directory(day_file.csv.parent)
        signed = open_data_sign_digest(digest)
        headers = (
            f"{SIGNATURE_HEADER}: {signed.signature}\r\n"
            f"{KEY_HEADER}: {signed.certificate_sha256}\r\n"
            f"{selectors.BUILT_THROUGH_HEADER}: {through}\r\n"
        )
        return write_once(path=day_file.signature, data=headers.encode("ascii"), mode=0o440)


def _csv_stream(events, handle) -> bytes:
    """Write the CSV of ``events`` (a byte order mark, CRLF) to ``handle``; its SHA-256."""
    digest = hashlib.sha256()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def drain() -> None:
        data = buffer.getvalue().encode("utf-8")
        handle.write(data)
        digest.update(data)
        buffer.seek(0)
        buffer.truncate()

    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for count, event in enumerate(events.iterator(chunk_size=CSV_ROWS_PER_WRITE), start=1):
        writer.writerow(open_data_csv_row(event))
        if count % CSV_ROWS_PER_WRITE == 0:
            drain()
    drain()
    return digest.digest()


def open_data_days_build(*, now: datetime | None = None) -> int:
    """Build every finished day's CSV not built yet, from the log's first event to the last
    day over by ``OPEN_DATA_DAY_GRACE_MINUTES`` (a transaction open at midnight has
    committed by then); return how many files were written. Safe to run any number of times:
    it catches up after days without a run and never rewrites a finished day, except one a
    withholding made stale (``open_data_days_reconcile``, first)."""
    now = now or timezone.now()
    open_data_days_reconcile()
    first = OpenDataEvent.objects.aggregate(first=Min("created_at"))["first"]
    if first is None:
        return 0
    grace = timedelta(minutes=settings.OPEN_DATA_DAY_GRACE_MINUTES)
    last = timezone.localdate(now - grace) - timedelta(days=1)
    day, written = timezone.localdate(first), 0
    while day <= last:
        written += open_data_day_build(day=day)
        day += timedelta(days=1)
    return written


def open_data_days_reconcile() -> set[date]:
    """Discard every built day whose file may still name a subject withheld since: a day
    with a withheld event whose withholding's leaf index is above the log position the file
    was read through (or a file that does not say it). Return those days.

    The withholding discards its days itself once it commits, but a process that dies
    between the commit and the discard, or a build that read the day just before the
    withholding committed, leaves a file naming the subject; the hourly job calls this
    first, so the build writes such a day again. Idempotent: a rebuilt day reads through
    the withholding and is left alone."""
    stale = set()
    for day, last_withholding in selectors.open_data_day_withholdings().items():
        signature = selectors.open_data_day_signature(selectors.open_data_day_file_paths(day=day))
        if signature is None:
            continue  # not built: the build reads the withholding anyway
        through = signature.get(selectors.BUILT_THROUGH_HEADER, "")
        if not through.lstrip("-").isdigit() or int(through) < last_withholding:
            stale.add(day)
    open_data_days_discard(days=stale)
    return stale


def open_data_days_discard(*, days: set[date]) -> None:
    """Remove the built files of ``days`` (the signature first: the day reads as not built),
    so the next build writes them again from what may still be published."""
    for day in sorted(days):
        day_file = selectors.open_data_day_file_paths(day=day)
        day_file.signature.unlink(missing_ok=True)
        day_file.csv.unlink(missing_ok=True)
