"""Deadlines on the Chinese official calendar, with administrators' corrections."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from directory.calendar import (
    MAX_COUNT,
    OVERRIDES_MEMO,
    Deadline,
    add_calendar_days,
    add_working_days,
    announced_years,
    basis_announced_due_date,
    basis_is_provisional,
    deadline_after,
    explain_basis,
    is_working_day,
    unannounced_years,
    working_days_from,
)
from directory.errors import DirectoryError, DirectoryErrorCode
from directory.memo import memo_forget
from directory.models import DeadlineUnit, WorkingDayOverride
from tests.factories import CalendarYearFactory

SEP_30 = datetime.date(2026, 9, 30)  # the Wednesday before the National Day holiday


def test_saturday_made_working_day_is_a_working_day(db):
    assert is_working_day(datetime.date(2026, 10, 10))


def test_tuesday_substituted_day_off_is_not_a_working_day(db):
    assert not is_working_day(datetime.date(2026, 10, 6))


def test_ordinary_sunday_is_not_a_working_day(db):
    assert not is_working_day(datetime.date(2026, 10, 11))


def test_working_days_skip_the_national_day_holiday(db):
    deadline = add_working_days(SEP_30, 3)

    assert deadline.due_date == datetime.date(2026, 10, 10)  # 8th, 9th, Saturday 10th
    assert deadline.skipped == 7


def test_working_days_continue_after_the_holiday_weekend(db):
    deadline = add_working_days(SEP_30, 4)

    assert deadline.due_date == datetime.date(2026, 10, 12)
    assert deadline.skipped == 8


def test_start_day_itself_does_not_count(db):
    assert add_working_days(datetime.date(2026, 10, 8), 1).due_date == datetime.date(2026, 10, 9)


def test_override_closing_a_working_saturday_moves_the_deadline(db):
    WorkingDayOverride.objects.create(
        date=datetime.date(2026, 10, 10), is_working_day=False, note="调整：不再调休上班"
    )

    deadline = add_working_days(SEP_30, 3)

    assert not is_working_day(datetime.date(2026, 10, 10))
    assert deadline.due_date == datetime.date(2026, 10, 12)
    assert deadline.skipped == 9


def test_override_opening_a_holiday_moves_the_deadline_earlier(db):
    WorkingDayOverride.objects.create(
        date=datetime.date(2026, 10, 7), is_working_day=True, note="补充通知：10月7日上班"
    )

    deadline = add_working_days(SEP_30, 1)

    assert deadline.due_date == datetime.date(2026, 10, 7)
    assert deadline.skipped == 6


def test_a_deadline_is_counted_again_only_when_the_overrides_change(db):
    counted = add_working_days(SEP_30, 3)
    assert add_working_days(SEP_30, 3) is counted  # the same table: the day counted before

    # Another process's write (no signal here), seen by the next transaction.
    WorkingDayOverride.objects.bulk_create(
        [WorkingDayOverride(date=datetime.date(2026, 10, 10), is_working_day=False, note="改")]
    )
    assert add_working_days(SEP_30, 3) is counted  # this transaction read the table once
    memo_forget(OVERRIDES_MEMO)  # as a new transaction starts without the table

    assert add_working_days(SEP_30, 3).due_date == datetime.date(2026, 10, 12)
    assert counted.due_date == datetime.date(2026, 10, 10)


def test_calendar_days_ignore_holidays(db):
    deadline = add_calendar_days(SEP_30, 3)

    assert deadline.due_date == datetime.date(2026, 10, 3)
    assert deadline.skipped == 0


def test_deadline_after_dispatches_on_the_unit(db):
    assert deadline_after(SEP_30, 3, DeadlineUnit.WORKING_DAYS).due_date == datetime.date(
        2026, 10, 10
    )
    assert deadline_after(SEP_30, 3, DeadlineUnit.CALENDAR_DAYS).due_date == datetime.date(
        2026, 10, 3
    )


def test_working_day_explanation_in_english(db):
    with translation.override("en"):
        text = add_working_days(SEP_30, 3).explain()

    assert text == (
        "3 working days after 2026-09-30 on the official calendar "
        "(7 weekend or holiday days skipped)"
    )


def test_calendar_day_explanation_in_english(db):
    with translation.override("en"):
        assert add_calendar_days(SEP_30, 30).explain() == "30 calendar days after 2026-09-30"


def test_working_day_explanation_in_chinese(db):
    with translation.override("zh-hans"):
        text = add_working_days(SEP_30, 3).explain()

    assert text == "自2026-09-30起按法定工作日计算3个工作日（已跳过7天周末或节假日）"


def test_basis_round_trips_and_explains_the_same(db):
    deadline = add_working_days(SEP_30, 3)

    restored = Deadline.from_basis(deadline.as_basis())

    assert restored == deadline
    with translation.override("en"):
        assert explain_basis(deadline.as_basis()) == deadline.explain()
    assert explain_basis(None) == ""


def test_end_of_day_is_the_last_second_in_the_city(db):
    end = add_working_days(SEP_30, 3).end_of_day()

    assert end.isoformat() == "2026-10-10T23:59:59+08:00"


def test_zero_working_days_is_the_start_day(db):
    assert add_working_days(SEP_30, 0).due_date == SEP_30


# Provisional years (ADR 0012) ---------------------------------------------------------------

DEC_20 = datetime.date(2026, 12, 20)  # a Sunday; 20 working days later is in January 2027
MAKE_UP_SATURDAY = datetime.date(2027, 1, 2)  # what an announcement might make a working day


def _announce_2027(*, make_up_saturday: bool) -> None:
    if make_up_saturday:
        WorkingDayOverride.objects.create(
            date=MAKE_UP_SATURDAY, is_working_day=True, note="元旦调休上班"
        )
    CalendarYearFactory(year=2027)


def test_the_package_years_are_announced_and_2027_is_not(db):
    assert {2025, 2026} <= announced_years()
    assert unannounced_years([2026, 2027, 2028]) == [2027, 2028]


def test_a_deadline_into_an_unannounced_year_is_provisional_and_says_so(db):
    deadline = add_working_days(DEC_20, 20)

    with translation.override("en"):
        english = deadline.explain()
    with translation.override("zh-hans"):
        chinese = deadline.explain()

    assert deadline.due_date == datetime.date(2027, 1, 18)
    assert deadline.is_provisional is True
    assert deadline.provisional_years() == [2027]
    assert english == (
        "20 working days after 2026-12-20 on the official calendar (9 weekend or holiday days "
        "skipped); provisional: the official holiday arrangement for 2027 has not been "
        "announced yet"
    )
    assert chinese.endswith("；暂定：2027年的法定节假日安排尚未公布")


def test_a_deadline_within_announced_years_is_not_provisional(db):
    deadline = add_working_days(SEP_30, 3)

    assert deadline.is_provisional is False
    assert deadline.announced_due_date() is None


def test_calendar_days_are_never_provisional(db):
    assert add_calendar_days(DEC_20, 60).is_provisional is False


def test_an_announcement_that_keeps_the_day_ends_the_provisional_mark(db):
    basis = add_working_days(DEC_20, 20).as_basis()

    _announce_2027(make_up_saturday=False)

    deadline = Deadline.from_basis(basis)
    assert deadline.is_provisional is False
    assert deadline.announced_due_date() is None
    with translation.override("en"):
        assert "provisional" not in deadline.explain()
        assert "review" not in deadline.explain()


def test_an_announcement_that_moves_the_day_flags_the_deadline_and_keeps_its_date(db):
    # given a deadline stated while 2027 was unannounced
    basis = add_working_days(DEC_20, 20).as_basis()

    # when the announcement makes Saturday 2 January a working day
    _announce_2027(make_up_saturday=True)

    # then the stated date stands and the announced calendar's day is shown beside it
    deadline = Deadline.from_basis(basis)
    assert deadline.due_date == datetime.date(2027, 1, 18)
    assert deadline.announced_due_date() == datetime.date(2027, 1, 15)
    assert basis_announced_due_date(basis) == datetime.date(2027, 1, 15)
    assert basis_is_provisional(basis) is False
    with translation.override("en"):
        assert deadline.explain().endswith(
            "; under review: on the announced calendar this count ends on 2027-01-15"
        )
    with translation.override("zh-hans"):
        assert deadline.explain().endswith("；待复核：按已公布的日历，该期限应于2027-01-15届满")


# Bounds: a domain error, never an OverflowError ----------------------------------------------


def test_a_deadline_past_the_last_date_is_a_domain_error_not_an_overflow(db, english):
    # given the last days Python's dates can hold
    near_the_end = datetime.date(9999, 12, 28)

    # when / then
    with pytest.raises(DirectoryError) as working:
        add_working_days(near_the_end, 10)
    with pytest.raises(DirectoryError) as calendar:
        add_calendar_days(near_the_end, 10)
    assert working.value.code == DirectoryErrorCode.DATE_OUT_OF_RANGE
    assert calendar.value.code == DirectoryErrorCode.DATE_OUT_OF_RANGE
    assert working.value.message == (
        "10 days after 9999-12-28 is beyond the last date the calendar can hold."
    )


@pytest.mark.parametrize("count", [-1, MAX_COUNT + 1, 10**30])
def test_a_count_outside_the_calendars_range_is_a_domain_error(db, count):
    with pytest.raises(DirectoryError) as raised:
        deadline_after(SEP_30, count, DeadlineUnit.WORKING_DAYS)

    assert raised.value.code == DirectoryErrorCode.DATE_OUT_OF_RANGE


# Properties (Hypothesis) ---------------------------------------------------------------------

NEAR_YEARS = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2029, 12, 31))


@given(start=NEAR_YEARS, count=st.integers(min_value=0, max_value=40))
def test_the_due_date_is_a_working_day_with_exactly_count_working_days_after_the_start(
    db, start, count
):
    # when
    deadline = add_working_days(start, count)

    # then
    days = [
        start + datetime.timedelta(days=n) for n in range(1, (deadline.due_date - start).days + 1)
    ]
    working = [day for day in days if is_working_day(day)]
    assert len(working) == count
    assert deadline.skipped == len(days) - count
    assert count == 0 or is_working_day(deadline.due_date)
    assert count > 0 or deadline.due_date == start


@given(start=NEAR_YEARS, count=st.integers(min_value=0, max_value=40))
def test_one_more_working_day_never_comes_earlier_and_counting_back_inverts_it(db, start, count):
    # when
    due = add_working_days(start, count).due_date
    later = add_working_days(start, count + 1).due_date

    # then: monotone, and counting the working days in (start, due] gives count back
    assert later > due
    counted = sum(
        is_working_day(start + datetime.timedelta(days=n)) for n in range(1, (due - start).days + 1)
    )
    assert counted == count


@given(
    start=st.dates(),
    count=st.integers(min_value=-(10**6), max_value=10**6),
    unit=st.sampled_from(DeadlineUnit.values),
)
def test_the_calendar_answers_any_date_and_count_or_refuses_with_its_domain_error(
    db, start, count, unit
):
    # when
    try:
        deadline = deadline_after(start, count, unit)
    except DirectoryError as error:  # any other exception fails the test
        # then
        assert error.code == DirectoryErrorCode.DATE_OUT_OF_RANGE
        return
    assert deadline.due_date >= start


@pytest.mark.django_db
def test_working_days_from_today_count_ahead_and_behind():
    # given Friday 2026-12-04
    today = datetime.date(2026, 12, 4)
    days = [datetime.date(2026, 11, 30), datetime.date(2026, 12, 3), today]
    days += [datetime.date(2026, 12, 5), datetime.date(2026, 12, 7), datetime.date(2026, 12, 9)]

    counts = working_days_from(today, days)

    # behind: the working days overdue; ahead: the working days left, the due day counting
    assert [counts[day] for day in days] == [-4, -1, 0, 0, 1, 3]
    assert counts[datetime.date(2026, 12, 9)] == add_working_days_count(today, "2026-12-09")
    assert working_days_from(today, []) == {}


def add_working_days_count(start: datetime.date, day: str) -> int:
    """The count ``add_working_days`` needs to reach ``day``: the two must agree."""
    target = datetime.date.fromisoformat(day)
    count = 0
    while add_working_days(start, count).due_date < target:
        count += 1
    return count
