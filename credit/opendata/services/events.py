"""Writing the open data feed: one event per public change of the record, appended to the
transparency log in the caller's transaction, with a checkpoint signed over it.

The record's services (``credit.record.services``) and the withdrawal of a commitment call
``open_data_event_record`` where the change happens, so the event commits or rolls back with
the change itself. The event holds only what may be public (ADR 0030): a company's name and
unified social credit code; a natural person's masked name and no identifier; codes of the
category, rule set, department and list; dates. No free text is published.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from credit.opendata.models import OpenDataEvent
from credit.opendata.services.days import open_data_days_discard
from directory.identifiers import mask_person_name
from directory.models import Subject
from signing.register.merkle import leaf_hash, salted_digest
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
    # commits they are discarded (no longer served, their objects deleted), and the hourly
    # build writes them again without the name. Robust: the withholding stands if the store
    # is down; the hourly run's reconciliation finishes the discard.
    days = {timezone.localdate(row.created_at) for row in rows}
    transaction.on_commit(lambda: open_data_days_discard(days=days), robust=True)
    return announcement
