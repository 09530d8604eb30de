"""The public register: each registry event (signed, verified, breached, ...) appended to the
transparency log as a salted leaf with a signed checkpoint, and the receipts that prove it."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, RegistryEvent
from directory.audit import audited_clean
from directory.models import Subject
from directory.rows import save_new
from signing.register.merkle import leaf_hash, salted_digest
from signing.register.models import Checkpoint
from signing.register.receipts import receipt_build
from signing.register.services import checkpoint_create, log_append


def registry_event_append(
    *,
    event_type: str,
    commitment: Commitment | None = None,
    subject: Subject | None = None,
    payload: dict,
    actor: AbstractBaseUser | None = None,
) -> RegistryEvent:
    """Append one registry event to the transparency log and sign a new checkpoint.

    The log receives only SHA-256(0x00 || SHA-256(salt || event)); the event (type, the
    commitment's reference, the subject's code, the time and ``payload``) and its 32-byte
    random salt stay in the returned ``RegistryEvent``, from which a receipt can be built.
    ``payload`` must be JSON-serialisable and should hold no more personal data than needed.
    """
    if event_type not in RegistryEvent.Type.values:
        raise CommitmentError(
            ErrorCode.INVALID, _("Unknown registry event %(type)s.") % {"type": event_type}
        )
    subject = subject or (commitment.subject if commitment is not None else None)
    now = timezone.now()
    event = {
        "type": event_type,
        "reference": commitment.reference if commitment is not None else None,
        "subject": subject.code if subject is not None else None,
        "time": now.isoformat(),
        "payload": payload,
    }
    salt = secrets.token_bytes(32)
    appended = log_append([(leaf_hash(salted_digest(salt=salt, event=event)), event_type)])
    checkpoint_create(tree_size=appended.tree_size, root=appended.root_hash)
    record = RegistryEvent(
        event_type=event_type,
        commitment=commitment,
        subject=subject,
        actor=actor,
        event=event,
        salt=salt.hex(),
        leaf_index=appended.first_index,
        created_at=now,
    )
    # The log handed out the leaf index under its head's row lock: unique by construction.
    audited_clean(record, unique_by_construction=["leaf_index"])
    save_new(record)  # the insert compiled once (directory.rows)
    return record


def registry_receipt(*, event: RegistryEvent, checkpoint: Checkpoint | None = None) -> dict:
    """Return the receipt of an event against the latest (or the given) checkpoint."""
    checkpoint = checkpoint or Checkpoint.objects.order_by("-tree_size").first()
    if checkpoint is None or checkpoint.tree_size <= event.leaf_index:
        checkpoint = checkpoint_create()
    return receipt_build(
        index=event.leaf_index,
        salt=bytes.fromhex(event.salt),
        event=event.event,
        checkpoint=checkpoint,
    )


def registry_receipts(*, commitment: Commitment) -> list[dict]:
    """Return a receipt for every registry event of a commitment, against one checkpoint."""
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    return [
        registry_receipt(event=event, checkpoint=checkpoint)
        for event in commitment.registry_events.order_by("leaf_index")
    ]
