"""City statistics by month and by department: one grouped query per series."""

from __future__ import annotations

from datetime import date

from tests.workflows.repair.conftest import city_activity
from workflows.repair.selectors.statistics import city_statistics


def test_series_by_month_and_department(repair_city, today):
    world = repair_city
    city_activity(world)

    stats = city_statistics(until=today, months=12)

    assert stats.months[0] == date(2026, 1, 1) and stats.months[-1] == date(2026, 12, 1)
    assert stats.by_month["commitments"][date(2026, 12, 1)] >= 2  # signed today (repair too)
    assert stats.by_month["breaches"][date(2026, 3, 1)] == 1
    assert stats.by_month["breaches"][date(2026, 4, 1)] == 1
    assert stats.by_month["repairs"][date(2026, 12, 1)] == 1
    assert stats.by_month["objections"][date(2026, 12, 1)] == 1
    assert stats.by_department["repairs"] == {world.department.pk: 1}
    assert stats.by_department["objections"] == {world.department.pk: 1}
