"""The record a report lists is read as values (``ListedBreach``), not model instances: each
listed breach must print and fingerprint exactly as its model instance does, or the reports
issued before would all read as "the record has changed"."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from credit.record.models.base import Severity
from credit.record.models.breaches import Breach, BreachSourceKind
from credit.reports.selectors import ReportContent, report_content
from tests.factories import BreachCategoryFactory, BreachFactory, RuleSetFactory

SPAN = (date(2026, 1, 1), date(2026, 12, 31))


def _breaches(world) -> list[Breach]:
    category = BreachCategoryFactory(
        legal_basis="《行政许可法》第六十九条", legal_basis_en="Article 69 of the Licensing Law"
    )
    rule_set = RuleSetFactory(name="多条记录适用规则", name_en="Rules for many records")
    return [
        BreachFactory(
            subject=world.subject,
            category=category,
            rule_set=rule_set,
            department=world.department,
            record_date=date(2026, 3, 1),
        ),
        # repaired, serious, no department, a basis the regulator wrote for this breach
        BreachFactory(
            subject=world.subject,
            category=category,
            rule_set=rule_set,
            record_date=date(2026, 4, 1),
            severity=Severity.SERIOUS,
            status=Breach.Status.REPAIRED,
            legal_basis="《某条例》第十条",
            reason="逾期未整改",
        ),
        BreachFactory(
            subject=world.subject,
            record_date=date(2026, 5, 1),
            source_kind=BreachSourceKind.PENALTY_DECISION,
            source_id=7,
            source_reference="PD-2026-7",
        ),
        # revoked: not listed
        BreachFactory(
            subject=world.subject, record_date=date(2026, 6, 1), status=Breach.Status.REVOKED
        ),
    ]


def _printed(breach) -> tuple:
    """What a report prints and fingerprints of a breach."""
    return (
        breach.pk,
        breach.status,
        breach.get_status_display(),
        breach.severity,
        breach.get_severity_display(),
        breach.record_date,
        breach.reason,
        breach.legal_basis,
        breach.legal_basis_display,
        breach.publicity_max_until,
        breach.source_kind,
        breach.category_id,
        breach.category.code,
        breach.category.name,
        breach.rule_set_id,
        breach.rule_set.name,
        breach.department_id,
        breach.department.name if breach.department_id else None,
    )


def test_each_listed_breach_prints_as_its_model_does_in_either_language(world):
    models = _breaches(world)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            content = report_content(subject=world.subject, span_from=SPAN[0], span_until=SPAN[1])
            others = content.other_breaches.values()
            listed = [*content.penalties, *(breach for rows in others for breach in rows)]
            expected = [
                Breach.objects.get(pk=breach.pk) for breach in models if breach.status != "revoked"
            ]

            assert sorted(map(_printed, listed)) == sorted(map(_printed, expected))
    assert [breach.pk for breach in content.penalties] == [models[2].pk]


def test_the_fingerprint_of_the_listing_is_that_of_its_model_instances(world):
    models = _breaches(world)
    content = report_content(subject=world.subject, span_from=SPAN[0], span_until=SPAN[1])
    instances = ReportContent(
        subject=world.subject,
        span_from=SPAN[0],
        span_until=SPAN[1],
        penalties=[Breach.objects.get(pk=models[2].pk)],
        other_breaches={"other": list(Breach.objects.filter(pk__in=[models[0].pk, models[1].pk]))},
    )

    assert content.entry_count == instances.entry_count == 3
    assert content.digest() == instances.digest()
