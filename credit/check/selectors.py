"""Reads of "check every case": a subject's status for a purpose and a matter, as another
system asks for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone

from credit.record.models.breaches import ListEntry, Measure
from credit.record.models.rules import CreditList, MeasureType
from credit.record.rules import Standing, grade_from
from credit.record.selectors import breach_counts, grade_rules_in_force, measures_in_force


@dataclass(frozen=True)
class CheckStatus:
    """What another system needs before an approval, a bid or a subsidy."""

    grade: str
    black_lists: list[dict]
    red_lists: list[dict]
    measures: list[dict]
    commitment_allowed: bool
    commitment_excluded_by: str | None

    def summary(self) -> dict:
        return {
            "grade": self.grade,
            "black_listed": bool(self.black_lists),
            "red_listed": bool(self.red_lists),
            "measures": [m["code"] for m in self.measures],
            "commitment_allowed": self.commitment_allowed,
        }


def check_status(
    *,
    subject_id: int,
    purpose: str,
    matter_id: int | None,
    on: date | None = None,
) -> CheckStatus:
    """The subject's status for a purpose and matter, in four indexed queries.

    The reference the statements of ``credit.check.read`` and ``credit.check.postgres`` are
    held equal to by the tests: the same rules, read through the ORM.
    """
    on = on or timezone.localdate()
    through = MeasureType.matters.through
    measures = list(
        measures_in_force(Measure.objects.filter(subject_id=subject_id), on)
        .select_related("measure_type")
        .annotate(
            is_scoped=Exists(through.objects.filter(measuretype_id=OuterRef("measure_type_id"))),
            fits_matter=Exists(
                through.objects.filter(
                    measuretype_id=OuterRef("measure_type_id"), matter_id=matter_id
                )
            ),
        )
        .order_by("starts_on", "pk")
    )
    entries = list(
        ListEntry.objects.filter(subject_id=subject_id, status=ListEntry.Status.LISTED)
        .select_related("credit_list")
        .order_by("pk")
    )
    total, serious = breach_counts(subject_id=subject_id)
    standing = Standing(
        points=sum(m.points for m in measures),
        breaches=total,
        serious=serious,
        blacklisted=any(e.credit_list.kind == CreditList.Kind.BLACK for e in entries),
    )
    grade = grade_from(standing, grade_rules_in_force(on=on))

    def applies(measure: Measure) -> bool:
        kind = measure.measure_type
        return (not kind.purposes or purpose in kind.purposes) and (
            not measure.is_scoped or measure.fits_matter
        )

    applying = [m for m in measures if applies(m)]
    exclusion = next(
        (m for m in measures if m.measure_type.kind == MeasureType.Kind.NO_COMMITMENT), None
    )

    def entry(e: ListEntry) -> dict:
        return {"list": e.credit_list.code, "name": e.credit_list.name, "since": e.entered_on}

    return CheckStatus(
        grade=grade,
        black_lists=[entry(e) for e in entries if e.credit_list.kind == CreditList.Kind.BLACK],
        red_lists=[entry(e) for e in entries if e.credit_list.kind == CreditList.Kind.RED],
        measures=[
            {
                "code": m.measure_type.code,
                "name": m.measure_type.name,
                "kind": m.measure_type.kind,
                "legal_basis": m.measure_type.legal_basis,
                "applied_by": m.measure_type.applied_by,
                "since": m.starts_on,
                "until": m.ends_on,
            }
            for m in applying
        ],
        commitment_allowed=exclusion is None,
        commitment_excluded_by=exclusion.measure_type.name if exclusion else None,
    )
