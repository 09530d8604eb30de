"""Deadlines on the Chinese official calendar.

Statutory time limits count working days: public holidays are off and some weekend days
are made working days (调休). The ``holidays`` package supplies the published calendar;
``WorkingDayOverride`` rows let an administrator add next year's announcement before the
package knows it. Every computed deadline carries a sentence saying how it was computed.

A deadline that would fall past the last date Python can hold, or a count outside
``0..MAX_COUNT``, is refused with ``DirectoryError`` (code ``date_out_of_range``), never an
``OverflowError``: inputs are bounded at the edge (``directory.inputs``), and this keeps a
date that slipped past them a clear refusal.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils.translation import gettext as _

from directory.errors import DirectoryError, DirectoryErrorCode
from directory.models import DeadlineUnit, WorkingDayOverride

# Ten years of days: far beyond any statutory limit, small enough to count in milliseconds.
MAX_COUNT = 3660


@dataclass(frozen=True)
class Deadline:
    """A due date and the facts it was computed from (kept so any page can explain it)."""

    start: datetime.date
    count: int
    unit: str
    skipped: int
    due_date: datetime.date

    def end_of_day(self) -> datetime.datetime:
        """The last instant of the due date in the city's time zone."""
        tz = ZoneInfo(settings.TIME_ZONE)
        return datetime.datetime.combine(self.due_date, datetime.time(23, 59, 59), tzinfo=tz)

    def as_basis(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "count": self.count,
            "unit": self.unit,
            "skipped": self.skipped,
            "due_date": self.due_date.isoformat(),
        }

    @classmethod
    def from_basis(cls, basis: dict) -> Deadline:
        return cls(
            datetime.date.fromisoformat(basis["start"]),
            basis["count"],
            basis["unit"],
            basis["skipped"],
            datetime.date.fromisoformat(basis["due_date"]),
        )

    def explain(self) -> str:
        """Say, in the active language, how the due date was computed."""
        if self.unit == DeadlineUnit.WORKING_DAYS:
            return _(
                "%(count)d working days after %(start)s on the official calendar "
                "(%(skipped)d weekend or holiday days skipped)"
            ) % {"count": self.count, "start": self.start.isoformat(), "skipped": self.skipped}
        return _("%(count)d calendar days after %(start)s") % {
            "count": self.count,
            "start": self.start.isoformat(),
        }


def explain_basis(basis: dict | None) -> str:
    return Deadline.from_basis(basis).explain() if basis else ""


@lru_cache(maxsize=16)
def _official_calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    rows = WorkingDayOverride.objects.filter(date__range=(start, end)).values_list(
        "date", "is_working_day"
    )
    return dict(rows)


def is_working_day(day: datetime.date, overrides: dict[datetime.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day]
    return _official_calendar(day.year).is_working_day(day)


def add_working_days(start: datetime.date, count: int) -> Deadline:
    """The ``count``-th working day after ``start`` (the start day itself does not count)."""
    _check_count(count)
    # Holidays never stretch a span by more than about three weeks a month; load once.
    days_left = (datetime.date.max - start).days
    overrides = _overrides(start, start + datetime.timedelta(days=min(count * 3 + 40, days_left)))
    day, counted, skipped = start, 0, 0
    while counted < count:
        if day == datetime.date.max:
            raise _out_of_range(start, count)
        day += datetime.timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
        else:
            skipped += 1
    return Deadline(start, count, DeadlineUnit.WORKING_DAYS, skipped, day)


def add_calendar_days(start: datetime.date, count: int) -> Deadline:
    _check_count(count)
    if count > (datetime.date.max - start).days:
        raise _out_of_range(start, count)
    due = start + datetime.timedelta(days=count)
    return Deadline(start, count, DeadlineUnit.CALENDAR_DAYS, 0, due)


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
        raise DirectoryError(
            DirectoryErrorCode.DATE_OUT_OF_RANGE,
            _("A deadline counts between 0 and %(max)d days.") % {"max": MAX_COUNT},
        )


def _out_of_range(start: datetime.date, count: int) -> DirectoryError:
    return DirectoryError(
        DirectoryErrorCode.DATE_OUT_OF_RANGE,
        _("%(count)d days after %(start)s is beyond the last date the calendar can hold.")
        % {"count": count, "start": start.isoformat()},
    )


def deadline_after(start: datetime.date, count: int, unit: str) -> Deadline:
    if unit == DeadlineUnit.WORKING_DAYS:
        return add_working_days(start, count)
    return add_calendar_days(start, count)
