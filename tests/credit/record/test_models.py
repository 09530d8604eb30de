"""The record's models: every factory makes a row the model accepts, and the rules a row holds
about itself (publicity window, measures in force, one open entry per list)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from credit.record.models.breaches import Breach, ListEntry
from tests.factories import (
    BreachCategoryFactory,
    BreachFactory,
    ConsequenceRuleFactory,
    CreditListFactory,
    GradeRuleFactory,
    ListEntryFactory,
    MeasureFactory,
    MeasureTypeFactory,
    PublicityRuleFactory,
    RepairRuleFactory,
    RuleSetFactory,
)

FACTORIES = [
    RuleSetFactory,
    PublicityRuleFactory,
    BreachCategoryFactory,
    MeasureTypeFactory,
    ConsequenceRuleFactory,
    CreditListFactory,
    GradeRuleFactory,
    RepairRuleFactory,
    BreachFactory,
    MeasureFactory,
    ListEntryFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_factory_makes_a_valid_row(db, factory):
    row = factory()

    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    ("factory", "traits"),
    [
        (RuleSetFactory, {"market_regulation": True}),
        (PublicityRuleFactory, {"unpublished": True}),
        (MeasureTypeFactory, {"no_commitment": True, "for_bids": True}),
        (CreditListFactory, {"red": True}),
        (RepairRuleFactory, {"not_repairable": True}),
        (BreachFactory, {"published": True, "serious": True, "of_commitment": True}),
        (ListEntryFactory, {"listed": True}),
    ],
    ids=lambda value: getattr(value, "__name__", "traits"),
)
def test_every_trait_makes_a_valid_row(db, factory, traits):
    factory(**traits).full_clean()


def test_a_rule_set_cannot_end_before_it_starts(db):
    rule_set = RuleSetFactory.build(
        effective_from=date(2026, 4, 1), effective_until=date(2026, 3, 31)
    )

    with pytest.raises(ValidationError) as raised:
        rule_set.full_clean()

    assert set(raised.value.message_dict) == {"effective_until"}


def test_a_measure_type_names_only_known_purposes(db):
    with pytest.raises(ValidationError) as raised:
        MeasureTypeFactory.build(purposes=["bid", "lottery"]).full_clean()

    assert set(raised.value.message_dict) == {"purposes"}


def test_a_breach_is_public_from_its_start_until_its_maximum_period(db):
    breach = BreachFactory(published=True, record_date=date(2026, 6, 1))

    assert [
        breach.is_public_on(day)
        for day in (date(2026, 5, 31), date(2026, 6, 1), date(2027, 5, 31), date(2027, 6, 1))
    ] == [False, True, True, False]
    assert (
        BreachFactory.build(is_publishable=False, publicity_starts=None).is_public_on(
            date(2026, 6, 1)
        )
        is False
    )


def test_a_breach_needs_both_its_source_kind_and_number(db):
    breach = BreachFactory.build(source_kind="commitment", source_id=None)

    with pytest.raises(ValidationError):
        breach.full_clean()
    assert not Breach.objects.exists()


def test_a_measure_is_in_force_from_its_start_until_its_end(db):
    measure = MeasureFactory(starts_on=date(2026, 6, 1), ends_on=date(2026, 12, 1))

    assert [
        measure.is_in_force(day)
        for day in (date(2026, 5, 31), date(2026, 6, 1), date(2026, 11, 30), date(2026, 12, 1))
    ] == [False, True, True, False]


def test_a_subject_has_at_most_one_open_entry_per_list(db):
    entry = ListEntryFactory()

    with pytest.raises(ValidationError):
        ListEntryFactory.build(credit_list=entry.credit_list, subject=entry.subject).full_clean()
    assert ListEntry.objects.count() == 1
