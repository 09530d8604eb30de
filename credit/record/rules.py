"""Pure rule arithmetic: month periods, publicity windows and grades (no database access)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PublicityWindow:
    """Whether and when a breach recorded on ``record_date`` is published."""

    is_publishable: bool
    starts: date | None
    min_until: date
    max_until: date


def publicity_window(
    *, record_date: date, is_published: bool, min_months: int, max_months: int
) -> PublicityWindow:
    """Publication starts on the record date (if the rule publishes at all); repair may be
    applied for from ``min_until``; publication stops at ``max_until`` at the latest."""
    return PublicityWindow(
        is_publishable=is_published,
        starts=record_date if is_published else None,
        min_until=add_months(record_date, min_months),
        max_until=add_months(record_date, max_months),
    )


@dataclass(frozen=True)
class Standing:
    """What the grade rules look at."""

    points: int = 0
    breaches: int = 0
    serious: int = 0
    blacklisted: bool = False


def grade_from(standing: Standing, rules: Iterable) -> str:
    """The grade of the first rule (in order) the standing meets; D if none does."""
    for rule in rules:
        if rule.admits(
            points=standing.points,
            breaches=standing.breaches,
            serious=standing.serious,
            blacklisted=standing.blacklisted,
        ):
            return rule.grade
    return "D"
