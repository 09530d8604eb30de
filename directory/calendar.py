"""Deadlines on the Chinese official calendar.

Statutory time limits count working days: public holidays are off and some weekend days
are made working days (调休). The ``holidays`` package supplies the published calendar;
``WorkingDayOverride`` rows let an administrator add next year's announcement before the
package knows it. Every computed deadline carries a sentence saying how it was computed.

A year is *announced* when the package carries its arrangement or an administrator has
entered a ``CalendarYear``. A working-day deadline that runs through a year not announced is
*provisional*: the package guesses that year's observed days and knows none of its make-up
working days. Once the year is announced, a deadline whose count on the announced calendar
gives another day is *under review*: the stated date stands until an officer moves it
(ADR 0012 says why the platform flags rather than recomputes).

A deadline that would fall past the last date Python can hold, or a count outside
``0..MAX_COUNT``, is refused with ``DirectoryError`` (code ``date_out_of_range``), never an
``OverflowError``: inputs are bounded at the edge (``directory.inputs``), and this keeps a
date that slipped past them a clear refusal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from holidays.countries.china import ChinaStaticHolidays

from directory.errors import DirectoryError, DirectoryErrorCode
from directory.memo import memo_forget, transaction_memo
from directory.models import CalendarYear, DeadlineUnit, WorkingDayOverride

# Keys of the calendar's rows in the transaction memo (forgotten when a row is written).
OVERRIDES_MEMO = "calendar.overrides"
YEARS_MEMO = "calendar.years"

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

    def years_beyond_the_package(self) -> list[int]:
        """Return the years this working-day deadline runs through whose arrangement the
        ``holidays`` package does not carry (no query: most deadlines have none)."""
        if self.unit != DeadlineUnit.WORKING_DAYS:
            return []
        span = range(self.start.year, self.due_date.year + 1)
        return [year for year in span if year not in PACKAGE_YEARS]

    def provisional_years(self) -> list[int]:
        """Return the years this deadline runs through whose arrangement is not announced."""
        beyond = self.years_beyond_the_package()
        return unannounced_years(beyond) if beyond else []

    @property
    def is_provisional(self) -> bool:
        return bool(self.provisional_years())

    def announced_due_date(self) -> datetime.date | None:
        """Return the day the count gives on the announced calendar, if it is not the stated
        one (the deadline is then under review); None when it agrees, when the package's own
        calendar stated it, or while it is provisional."""
        if not self.years_beyond_the_package() or self.is_provisional:
            return None
        recomputed = add_working_days(self.start, self.count).due_date
        return recomputed if recomputed != self.due_date else None

    def explain(self) -> str:
        """Say, in the active language, how the due date was computed, and whether it is
        provisional or under review."""
        if self.unit != DeadlineUnit.WORKING_DAYS:
            return _("%(count)d calendar days after %(start)s") % {
                "count": self.count,
                "start": self.start.isoformat(),
            }
        text = _(
            "%(count)d working days after %(start)s on the official calendar "
            "(%(skipped)d weekend or holiday days skipped)"
        ) % {"count": self.count, "start": self.start.isoformat(), "skipped": self.skipped}
        years = self.provisional_years()
        if years:
            return text + _(
                "; provisional: the official holiday arrangement for %(years)s has not been "
                "announced yet"
            ) % {"years": ", ".join(str(year) for year in years)}
        announced = self.announced_due_date()
        if announced is not None:
            return text + _(
                "; under review: on the announced calendar this count ends on %(date)s"
            ) % {"date": announced.isoformat()}
        return text


def explain_basis(basis: dict | None) -> str:
    return Deadline.from_basis(basis).explain() if basis else ""


def basis_is_provisional(basis: dict | None) -> bool:
    """Return whether a stored deadline runs through a year not announced yet."""
    return bool(basis) and Deadline.from_basis(basis).is_provisional


def basis_announced_due_date(basis: dict | None) -> datetime.date | None:
    """Return the announced calendar's day for a stored deadline under review, else None."""
    return Deadline.from_basis(basis).announced_due_date() if basis else None


# The years whose arrangement (days off moved, make-up working days) the package carries.
PACKAGE_YEARS = frozenset(ChinaStaticHolidays.special_public_holidays)


@receiver([post_save, post_delete], sender=WorkingDayOverride)
def _forget_overrides(**_kwargs) -> None:
    memo_forget(OVERRIDES_MEMO)


@receiver([post_save, post_delete], sender=CalendarYear)
def _forget_years(**_kwargs) -> None:
    memo_forget(YEARS_MEMO)


def _entered_years() -> frozenset[int]:
    """The years an administrator announced (a handful of rows; once per transaction)."""
    return transaction_memo(
        YEARS_MEMO, lambda: frozenset(CalendarYear.objects.values_list("year", flat=True))
    )


def announced_years() -> frozenset[int]:
    """Return the years whose official arrangement is known: the package's and entered ones."""
    return PACKAGE_YEARS | _entered_years()


def unannounced_years(years: Iterable[int]) -> list[int]:
    """Return, in order, those of ``years`` whose arrangement is not announced yet."""
    beyond = {year for year in years if year not in PACKAGE_YEARS}
    if not beyond:
        return []
    return sorted(beyond - _entered_years())


@lru_cache(maxsize=16)
def _official_calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def overrides_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    """The administrator's working-day overrides from ``start`` to ``end`` (both included).

    Inside a transaction the whole table (a few dozen rows a year) is read once and every
    span is cut from it; in autocommit only the span is read.
    """
    if start > end:
        return {}
    table = transaction_memo(OVERRIDES_MEMO, _override_table_if_in_transaction)
    if table is None:
        rows = WorkingDayOverride.objects.filter(date__range=(start, end)).values_list(
            "date", "is_working_day"
        )
        return dict(rows)
    return {day: working for day, working in table.items() if start <= day <= end}


def _override_table_if_in_transaction() -> dict[datetime.date, bool] | None:
    if not connection.in_atomic_block:
        return None
    return dict(WorkingDayOverride.objects.values_list("date", "is_working_day"))


def is_working_day(day: datetime.date, overrides: dict[datetime.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = overrides_between(day, day)
    if day in overrides:
        return overrides[day]
    return _official_calendar(day.year).is_working_day(day)


# Working-day deadlines counted in this process, by the overrides they were counted with:
# the whole table as the current transaction read it (the package's calendar is fixed). The
# same table gives the same day, so a deadline is reused only while the table is the same;
# a write of the table here or in another process changes the key of the next transaction.
_DEADLINES: dict[tuple, Deadline] = {}
_DEADLINES_KEPT = 4096
# Headed by OVERRIDES_MEMO, so forgotten with the table (``memo_forget`` of its key).
FINGERPRINT_MEMO = (OVERRIDES_MEMO, "fingerprint")


def add_working_days(start: datetime.date, count: int) -> Deadline:
    """The ``count``-th working day after ``start`` (the start day itself does not count)."""
    _check_count(count)
    table = transaction_memo(OVERRIDES_MEMO, _override_table_if_in_transaction)
    if table is None:  # autocommit: nothing is kept
        return _count_working_days(start, count)
    key = (start, count, transaction_memo(FINGERPRINT_MEMO, lambda: frozenset(table.items())))
    deadline = _DEADLINES.get(key)
    if deadline is None:
        if len(_DEADLINES) >= _DEADLINES_KEPT:
            _DEADLINES.clear()
        deadline = _DEADLINES[key] = _count_working_days(start, count)
    return deadline


def _count_working_days(start: datetime.date, count: int) -> Deadline:
    # Holidays never stretch a span by more than about three weeks a month; load once.
    days_left = (datetime.date.max - start).days
    overrides = overrides_between(
        start, start + datetime.timedelta(days=min(count * 3 + 40, days_left))
    )
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


def working_days_from(
    today: datetime.date, days: Iterable[datetime.date]
) -> dict[datetime.date, int]:
    """For each day, how many working days lie between ``today`` and it: ahead, the working
    days after today up to and including the day (``剩余 3 个工作日``); behind, minus the
    working days after the day up to and including today (how long it is overdue); 0 for
    today. One query for a whole list page."""
    days = set(days)
    if not days:
        return {}
    low, high = min(*days, today), max(*days, today)
    overrides = overrides_between(low, high)
    running, total = {}, 0
    cursor = low
    while True:
        if cursor != low and is_working_day(cursor, overrides):
            total += 1
        running[cursor] = total  # working days in (low, cursor]
        if cursor == high:
            break
        cursor += datetime.timedelta(days=1)
    return {day: running[day] - running[today] for day in days}
