"""Changes of the credit record that repair and objections decide.

- ``breach_objection_mark``: the record goes "under objection" (not published meanwhile; the
  open data feed announces a published record's suspension).
- ``breach_objection_close``: the mark comes off — the record goes back to where it was (past
  its maximum period: publication ended), with its text or end of publicity corrected when
  the objection was upheld that way; the feed announces the correction, and the publication
  resumed or ended.
- ``breach_repair`` / ``breach_revoke``: the record is cleared. Publication and sharing stop,
  its measures are lifted and the black-list entries it caused end. Who received the record
  and must hear of the change is ``credit.changes``' business, above this one.

The cases, who may decide and the time limits belong to ``workflows.repair``; these functions
run inside the deciding service's transaction and refuse with a ``CreditError`` (changing
nothing) what the record's state or its rules do not allow. ``case`` names the case in the
audit trail, e.g. ``"application 12"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from credit.errors import CreditError, CreditErrorCode
from credit.opendata.models import OpenDataEvent
from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.services.opendata import breach_event, list_event
from directory.audit import audited_save


@dataclass(frozen=True)
class BreachCorrection:
    """What an upheld objection corrects: the record's text, its end of publicity, or both."""

    reason: str = ""
    max_until: date | None = None


@dataclass(frozen=True)
class RecordCleared:
    """What clearing a record (repair or revocation) did."""

    breach: Breach
    measures_lifted: list[Measure] = field(default_factory=list)
    list_exits: list[ListEntry] = field(default_factory=list)


def breach_objection_mark(
    *, breach_id: int, by: AbstractBaseUser | None, on: date, case: str
) -> Breach:
    """Mark the record "under objection"; refused for a record no longer objectionable. A
    published record leaves publication meanwhile, and the feed says so (dated ``on``)."""
    breach = Breach.objects.select_for_update().get(pk=breach_id)
    if not can_proceed(breach.mark_under_objection):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This record is %(status)s: it can no longer be objected to.")
            % {"status": breach.get_status_display()},
            field="breach",
        )
    was_published = breach.status == Breach.Status.PUBLISHED
    breach.mark_under_objection()
    audited_save(breach, by=by, reason=f"under {case}")
    if was_published:
        breach_event(kind=OpenDataEvent.Kind.PUBLICATION_SUSPENDED, breach=breach, on=on, by=by)
    return breach


def breach_objection_close(
    *,
    breach_id: int,
    back_to: str,
    by: AbstractBaseUser,
    on: date,
    reason: str,
    correction: BreachCorrection | None = None,
) -> Breach:
    """Take the objection mark off, correcting the record first when ``correction`` says so.

    A correction must give the corrected text or the corrected end of publicity, and that end
    must fall between the record date and the record's latest end. A published record whose
    (corrected) end has passed goes to "publication ended".
    """
    breach = Breach.objects.select_for_update().get(pk=breach_id)
    if correction is not None:
        corrected_reason = (correction.reason or "").strip()
        if not corrected_reason and correction.max_until is None:
            raise CreditError(
                CreditErrorCode.INVALID,
                _("Give the corrected text or the corrected end of publicity."),
                field="corrected_reason",
            )
        if correction.max_until is not None and not (
            breach.record_date <= correction.max_until <= breach.publicity_max_until
        ):
            raise CreditError(
                CreditErrorCode.INVALID,
                _("The corrected end of publicity must fall between %(start)s and %(end)s.")
                % {"start": breach.record_date, "end": breach.publicity_max_until},
                field="corrected_max_until",
            )
        if corrected_reason:
            breach.reason = corrected_reason
        if correction.max_until is not None:
            breach.publicity_max_until = correction.max_until
            breach.publicity_min_until = min(breach.publicity_min_until, correction.max_until)
    was_published = back_to == Breach.Status.PUBLISHED
    if was_published and on >= breach.publicity_max_until:
        back_to = Breach.Status.PUBLICATION_ENDED
    breach.clear_objection(back_to=back_to)
    audited_save(breach, by=by, reason=reason)
    if correction is not None:
        breach_event(kind=OpenDataEvent.Kind.RECORD_CORRECTED, breach=breach, on=on, by=by)
    if was_published and back_to == Breach.Status.PUBLISHED:
        breach_event(kind=OpenDataEvent.Kind.PUBLICATION_RESUMED, breach=breach, on=on, by=by)
    if was_published and back_to == Breach.Status.PUBLICATION_ENDED:
        breach_event(
            kind=OpenDataEvent.Kind.PUBLICATION_ENDED,
            breach=breach,
            on=min(on, breach.publicity_max_until),
            by=by,
        )
    return breach


def breach_repair(*, breach_id: int, by: AbstractBaseUser, on: date, case: str) -> RecordCleared:
    """Repair the record and clear it; refused for a record that cannot be repaired."""
    breach = Breach.objects.select_for_update().get(pk=breach_id)
    if not can_proceed(breach.repair):
        raise CreditError(
            CreditErrorCode.INVALID_STATE,
            _("This record is %(status)s and cannot be repaired.")
            % {"status": breach.get_status_display()},
            field="status",
        )
    breach.repair()
    audited_save(breach, by=by, reason=f"repaired on {case}")
    breach_event(kind=OpenDataEvent.Kind.RECORD_REPAIRED, breach=breach, on=on, by=by)
    return _record_clear(
        breach=breach,
        by=by,
        on=on,
        reason=f"record repaired ({case})",
    )


def breach_revoke(*, breach_id: int, by: AbstractBaseUser, on: date, case: str) -> RecordCleared:
    """Revoke the record (an upheld objection) and clear it."""
    breach = Breach.objects.select_for_update().get(pk=breach_id)
    breach.revoke()
    audited_save(breach, by=by, reason=f"revoked on {case}")
    breach_event(kind=OpenDataEvent.Kind.RECORD_REVOKED, breach=breach, on=on, by=by)
    return _record_clear(
        breach=breach,
        by=by,
        on=on,
        reason=f"record revoked ({case})",
    )


def _record_clear(*, breach: Breach, by: AbstractBaseUser, on: date, reason: str) -> RecordCleared:
    """Lift the measures of a repaired or revoked record and end the black-list entries it
    caused. Runs with ``breach`` locked and already moved."""
    lifted = []
    for measure in Measure.objects.select_for_update().filter(
        breach=breach, status=Measure.Status.ACTIVE
    ):
        measure.lift(on=on)
        audited_save(measure, by=by, reason=reason)
        lifted.append(measure)
    exits = []
    for entry in ListEntry.objects.select_for_update().filter(
        breach=breach, status__in=ListEntry.OPEN
    ):
        was_listed = entry.status == ListEntry.Status.LISTED
        entry.leave(on=on)
        audited_save(entry, by=by, reason=reason)
        if was_listed:
            list_event(kind=OpenDataEvent.Kind.LIST_EXITED, entry=entry, on=on, by=by)
        exits.append(entry)
    return RecordCleared(breach=breach, measures_lifted=lifted, list_exits=exits)
