"""A check answered and logged at once (one statement on PostgreSQL, three elsewhere) answers
what the ORM selector does and logs who asked; a refused caller or an unknown matter is not
logged."""

from __future__ import annotations

import pytest
from django.utils import timezone

from credit.check.models import CallingSystem, CheckQuery
from credit.check.read import Caller
from credit.check.selectors import check_status
from credit.check.services import check_and_log
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due


@pytest.mark.parametrize(
    ("breaches", "purpose"),
    [(0, "approval"), (1, "bid"), (4, "subsidy")],
)
def test_check_and_log_answers_and_logs_as_check_status(world, calling_system, breaches, purpose):
    system, key = calling_system
    for _n in range(breaches):
        breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="serious",
            reason="严重逾期",
            by=world.regulator,
        )
    for entry in world.subject.credit_list_entries.all():
        list_entries_enter_due(on=entry.enter_not_before)
    now = timezone.now()

    answer = check_and_log(
        token_key=key,
        subject_code=world.subject.code,
        purpose=purpose,
        matter_code=world.matter.code,
        reason="案卷 7",
        at=now,
    )

    expected = check_status(
        subject_id=world.subject.pk,
        purpose=purpose,
        matter_id=world.matter.pk,
        on=timezone.localdate(now),
    )
    assert (answer.caller, answer.matter_found, answer.subject.pk) == (
        Caller.ALLOWED,
        True,
        world.subject.pk,
    )
    assert answer.status == expected
    query = CheckQuery.objects.get()
    assert (query.pk, query.calling_system_id, query.subject_id, query.reason) == (
        answer.query_pk,
        system.pk,
        world.subject.pk,
        "案卷 7",
    )
    assert query.answer == {"found": True, **expected.summary()}


def test_check_and_log_reads_and_logs_nothing_for_a_refused_caller_or_unknown_matter(
    world, calling_system
):
    system, key = calling_system
    ask = {
        "subject_code": world.subject.code,
        "purpose": "approval",
        "reason": "案卷 8",
        "at": timezone.now(),
    }

    unknown_token = check_and_log(token_key="nope", matter_code="", **ask)
    unknown_matter = check_and_log(token_key=key, matter_code="no-such", **ask)
    CallingSystem.objects.filter(pk=system.pk).update(is_active=False)
    inactive = check_and_log(token_key=key, matter_code="", **ask)

    assert [(a.caller, a.subject, a.status, a.query_pk) for a in (unknown_token, inactive)] == [
        (Caller.UNKNOWN_TOKEN, None, None, None),
        (Caller.NOT_A_CALLING_SYSTEM, None, None, None),
    ]
    assert (unknown_matter.caller, unknown_matter.matter_found, unknown_matter.query_pk) == (
        Caller.ALLOWED,
        False,
        None,
    )
    assert CheckQuery.objects.count() == 0
