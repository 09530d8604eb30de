"""When a record may be repaired: the rule set of the record's date decides the minimum
period (NDRC Order 58 before 2026-04-01, Order 36 from that day)."""

from __future__ import annotations

from datetime import date

from workflows.repair.selectors.eligibility import repair_eligibility


def test_minimum_period_follows_the_rule_set_of_the_record_date(old_breach, new_breach):
    assert (old_breach.rule_set.code, old_breach.publicity_min_until) == (
        "ndrc-order-58",
        date(2026, 6, 30),
    )
    assert (new_breach.rule_set.code, new_breach.publicity_min_until) == (
        "ndrc-order-36",
        date(2027, 4, 1),
    )
    old = repair_eligibility(breach=old_breach, on=date(2026, 12, 1))
    new = repair_eligibility(breach=new_breach, on=date(2026, 12, 1))
    assert (old.is_eligible, old.eligible_from) == (True, date(2026, 6, 30))
    assert (new.is_eligible, new.eligible_from) == (False, date(2027, 4, 1))
    assert [r.code for r in new.refusals] == ["minimum_period"]
    assert "NDRC Order 36" in new.refusals[0].rule


def test_a_record_becomes_eligible_on_the_day_its_minimum_period_ends(new_breach):
    assert not repair_eligibility(breach=new_breach, on=date(2027, 3, 31)).is_eligible
    assert repair_eligibility(breach=new_breach, on=date(2027, 4, 1)).is_eligible
