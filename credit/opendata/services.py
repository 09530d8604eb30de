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
import secrets
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from credit.opendata.models import OpenDataEvent
from directory.identifiers import mask_person_name
from directory.models import Subject
from signing.ca.keys import platform_key
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.receipts import platform_root_certificate
from signing.register.services import checkpoint_create, log_append

EVENT_VERSION = 1


def subject_public(subject: Subject) -> dict:
    """What the feed may say about a subject: a company in full, a person masked, no ID."""
    if subject.kind == Subject.Kind.COMPANY:
        return {"kind": "company", "name": subject.name, "code": subject.code}
    return {"kind": "person", "name": mask_person_name(subject.name), "code": None}


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
) -> OpenDataEvent:
    """Append one open-data event to the log, sign a checkpoint over it and store it.

    Runs inside the caller's transaction (the change it reports): the log's head stays locked
    until that commits, so leaf indexes follow commit order and a reader paging by leaf index
    never skips an event. ``details`` must be JSON-serialisable and hold nothing personal.
    """
    if kind not in OpenDataEvent.Kind.values:
        raise ValueError(f"Unknown open data event {kind!r}.")
    now = timezone.now()
    event = {
        "version": EVENT_VERSION,
        "kind": kind,
        "time": now.isoformat(),
        "effective_on": effective_on.isoformat(),
        "subject": subject_public(subject),
        "record": record_id,
        "list_entry": list_entry_id,
        "reference": reference or None,
        **details,
    }
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
        leaf_index=appended.first_index,
        checkpoint=checkpoint,
        created_at=now,
    )
    row.full_clean()
    row.save()
    return row


@dataclass(frozen=True)
class SignedBody:
    """Bytes as served, with the detached signature over exactly them."""

    body: bytes
    signature: str  # base64 of the DER ECDSA P-256 / SHA-256 signature
    certificate_sha256: str  # hex fingerprint (DER) of the certificate that verifies it


def open_data_sign(body: bytes) -> SignedBody:
    """Sign served bytes with the platform seal key (the key that signs register checkpoints)."""
    key = platform_key("seal")
    signature = key.private_key.sign(body, ec.ECDSA(hashes.SHA256()))
    fingerprint = key.certificate.fingerprint(hashes.SHA256()).hex()
    return SignedBody(
        body=body,
        signature=base64.b64encode(signature).decode("ascii"),
        certificate_sha256=fingerprint,
    )


def open_data_certificates() -> bytes:
    """The seal certificate and the platform root that issued it, PEM, seal first."""
    seal = platform_key("seal").certificate.public_bytes(serialization.Encoding.PEM)
    root = platform_root_certificate().public_bytes(serialization.Encoding.PEM)
    return seal + root
