"""Rule sets held as data with effective dates, publicity windows and grades."""

from __future__ import annotations

from datetime import date

import pytest

from credit.errors import CreditError, CreditErrorCode
from credit.record.models.base import RuleDomain
from credit.record.models.rules import GradeRule
from credit.record.rules import Standing, add_months, grade_from, publicity_window
from credit.record.selectors import grade_rules_in_force, publicity_rule_for, rule_set_in_force


@pytest.mark.django_db
def test_order_58_governs_a_record_made_on_2026_03_31():
    rule_set = rule_set_in_force(on=date(2026, 3, 31), domain=RuleDomain.GENERAL)

    assert rule_set.code == "ndrc-order-58"


@pytest.mark.django_db
def test_order_36_governs_a_record_made_on_2026_04_01():
    rule_set = rule_set_in_force(on=date(2026, 4, 1), domain=RuleDomain.GENERAL)

    assert rule_set.code == "ndrc-order-36"


@pytest.mark.django_db
def test_order_58_governs_its_first_day_2023_05_01():
    assert rule_set_in_force(on=date(2023, 5, 1)).code == "ndrc-order-58"


@pytest.mark.django_db
def test_market_regulation_follows_samr_107_from_2025_12_25_and_the_general_rules_before():
    before = rule_set_in_force(on=date(2025, 12, 24), domain=RuleDomain.MARKET_REGULATION)
    on_start = rule_set_in_force(on=date(2025, 12, 25), domain=RuleDomain.MARKET_REGULATION)
    after_april = rule_set_in_force(on=date(2026, 4, 2), domain=RuleDomain.MARKET_REGULATION)

    assert (before.code, on_start.code, after_april.code) == (
        "ndrc-order-58",
        "samr-order-107",
        "samr-order-107",
    )


@pytest.mark.django_db
def test_a_record_before_any_rule_set_is_a_clear_error():
    with pytest.raises(CreditError) as raised:
        rule_set_in_force(on=date(2023, 4, 30))

    assert raised.value.code == CreditErrorCode.NO_RULE_SET
    assert raised.value.field == "record_date"
    assert "2023-04-30" in raised.value.message


@pytest.mark.django_db
def test_order_36_publicity_by_severity():
    rule_set = rule_set_in_force(on=date(2026, 4, 1))

    rules = {
        severity: publicity_rule_for(rule_set=rule_set, severity=severity)
        for severity in ("minor", "general", "serious")
    }

    assert [(r.is_published, r.min_months, r.max_months) for r in rules.values()] == [
        (False, 0, 3),
        (True, 3, 12),
        (True, 12, 36),
    ]


@pytest.mark.django_db
def test_order_58_safety_sectors_are_published_at_least_a_year():
    rule_set = rule_set_in_force(on=date(2026, 3, 31))

    general = publicity_rule_for(rule_set=rule_set, severity="general")
    safety = publicity_rule_for(rule_set=rule_set, severity="general", group="safety")

    assert (general.min_months, general.max_months) == (3, 36)
    assert (safety.min_months, safety.max_months) == (12, 36)


@pytest.mark.django_db
def test_samr_107_does_not_publish_warnings():
    rule_set = rule_set_in_force(on=date(2026, 1, 5), domain=RuleDomain.MARKET_REGULATION)

    warning = publicity_rule_for(rule_set=rule_set, severity="minor", group="warning")
    other_minor = publicity_rule_for(rule_set=rule_set, severity="minor")

    assert (warning.is_published, warning.max_months) == (False, 0)
    assert (other_minor.is_published, other_minor.max_months) == (True, 3)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 4, 1), 3) == date(2026, 7, 1)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 36) == date(2029, 11, 30)
    assert add_months(date(2026, 5, 10), 0) == date(2026, 5, 10)


def test_an_unpublished_window_has_no_start():
    window = publicity_window(
        record_date=date(2026, 5, 10), is_published=False, min_months=0, max_months=3
    )

    assert (window.is_publishable, window.starts) == (False, None)
    assert (window.min_until, window.max_until) == (date(2026, 5, 10), date(2026, 8, 10))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("standing", "grade"),
    [
        (Standing(), "A"),
        (Standing(points=1, breaches=1), "B"),
        (Standing(points=5, breaches=2), "B"),
        (Standing(points=6, breaches=2), "C"),
        (Standing(points=11, breaches=4), "C"),
        (Standing(points=12, breaches=4), "D"),
        (Standing(points=6, breaches=1, serious=1), "D"),
        (Standing(blacklisted=True), "D"),
    ],
)
def test_grades_follow_the_seeded_thresholds(standing, grade):
    assert grade_from(standing, grade_rules_in_force(on=date(2026, 5, 1))) == grade


@pytest.mark.django_db
def test_a_newer_grade_rule_set_replaces_the_old_one_from_its_date():
    GradeRule.objects.create(grade="A", effective_from=date(2027, 1, 1), position=1, max_points=3)

    before = grade_rules_in_force(on=date(2026, 12, 31))
    after = grade_rules_in_force(on=date(2027, 1, 1))

    assert [r.grade for r in before] == ["A", "B", "C", "D"]
    assert [(r.grade, r.max_points) for r in after] == [("A", 3)]
    assert grade_from(Standing(points=3, breaches=1), after) == "A"
    assert grade_from(Standing(points=4, breaches=1), after) == "D"
