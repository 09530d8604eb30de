"""The sweep settles each due ladder step once: warnings to the outbox in the recipient's
language, the regulator too once past due, and the breach after the grace period exactly once."""

from __future__ import annotations

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.obligations.models import Obligation, WarningSchedule
from commitments.obligations.services.sweep import obligation_warnings_sweep
from credit.record.models.breaches import Breach
from notifications.models import OutboxMessage
from notifications.services.outbox import recipient_preference_set
from tests.commitments.obligations.conftest import at
from tests.workflows.conftest import submit_commitment, task_of

# The obligations' warnings, not the e-mails that notifications of the submission wrote.
WARNINGS = OutboxMessage.objects.filter(key__startswith="warning:")

FIRST_WARNING = at(datetime.date(2026, 3, 19), 9, 1)
DAY_AFTER = at(datetime.date(2026, 3, 31), 9, 1)
AFTER_GRACE = at(datetime.date(2026, 4, 8), 0, 5)


def test_nothing_is_sent_before_its_time(obligation):
    with time_machine.travel(at(datetime.date(2026, 3, 19), 8, 59), tick=False):
        result = obligation_warnings_sweep()

    assert result.settled == 0
    assert WARNINGS.count() == 0


def test_a_due_step_is_written_once_per_channel_in_chinese_by_default(world, obligation):
    with time_machine.travel(FIRST_WARNING, tick=False):
        first = obligation_warnings_sweep()
        second = obligation_warnings_sweep()

    assert (first.warned, second.warned) == (1, 0)
    messages = list(WARNINGS.order_by("channel"))
    step = WarningSchedule.objects.get(obligation=obligation, step__offset=7).step
    assert [(m.key, m.recipient, m.language, m.status) for m in messages] == [
        (
            f"warning:o{obligation.pk}:s{step.pk}:email:u{world.applicant.pk}",
            world.applicant,
            "zh-hans",
            "pending",
        ),
        (
            f"warning:o{obligation.pk}:s{step.pk}:inapp:u{world.applicant.pk}",
            world.applicant,
            "zh-hans",
            "pending",
        ),
    ]
    assert messages[0].subject == "【承诺履行提醒】取得场所合法使用证明将于2026-03-30到期"
    assert "还有7个工作日" in messages[0].body
    assert "2026-04-07" in messages[0].body  # the end of the grace period
    assert messages[0].link == f"/commitments/obligations/{obligation.pk}/"
    assert messages[0].audience_group == f"department:{world.department.pk}"


def test_the_recipient_reads_english_when_they_chose_it(world, obligation):
    recipient_preference_set(user=world.applicant, language="en")

    with time_machine.travel(FIRST_WARNING, tick=False):
        obligation_warnings_sweep()

    email = WARNINGS.get(channel="email")
    assert email.language == "en"
    assert email.subject == (
        'Reminder: "Obtain proof that the premises are lawfully used" is due on 2026-03-30'
    )
    assert "in 7 working days" in email.body


def test_past_due_the_responsible_regulator_is_warned_too(world, signed, obligation):
    assignee = task_of(signed).owner

    with time_machine.travel(DAY_AFTER, tick=False):
        result = obligation_warnings_sweep()

    # the four applicant steps (late sweeps still send) and the regulator's
    assert result.warned == 5
    regulator_mail = WARNINGS.get(recipient=assignee, channel="email")
    assert regulator_mail.subject == f"【承诺逾期未履行】{signed.reference} 取得场所合法使用证明"
    assert WARNINGS.filter(recipient=world.applicant).count() == 2 + 3 + 2 + 2
    # the applicant has no mobile number: the SMS row says so instead of vanishing
    sms = WARNINGS.get(channel="sms")
    assert (sms.status, sms.last_error) == ("dead", "The recipient has no mobile number.")


def test_after_the_grace_period_the_breach_is_recorded_exactly_once(world, obligation):
    with time_machine.travel(AFTER_GRACE, tick=False):
        first = obligation_warnings_sweep()
        second = obligation_warnings_sweep()

    assert (first.breached, second.breached) == (1, 0)
    breach = Breach.objects.get(source_kind="obligation", source_id=obligation.pk)
    assert breach.subject_id == world.subject.pk
    assert breach.severity == "general"
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.BREACHED
    row = WarningSchedule.objects.get(obligation=obligation, kind="breach")
    assert (row.status, row.outcome) == ("done", "breach recorded")


def test_the_grace_period_not_yet_over_records_nothing(obligation):
    with time_machine.travel(at(datetime.date(2026, 4, 7), 23, 59), tick=False):
        obligation_warnings_sweep()

    assert Breach.objects.count() == 0
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.PENDING


def test_a_refused_breach_is_kept_visible_not_lost(world, obligation, monkeypatch):
    from commitments.errors import CommitmentError, ErrorCode
    from commitments.lifecycle.services import breaches

    def refuse(**kwargs):
        raise CommitmentError(ErrorCode.INVALID_STATE, "no rule set in force")

    monkeypatch.setattr(breaches, "commitment_breach_record", refuse)
    with time_machine.travel(AFTER_GRACE, tick=False):
        result = obligation_warnings_sweep()

    assert (result.refused, result.breached) == (1, 0)
    row = WarningSchedule.objects.get(obligation=obligation, kind="breach")
    assert (row.status, row.outcome) == ("refused", "invalid_state: no rule set in force")
    # the warnings settled in the same batch are kept
    assert WarningSchedule.objects.filter(obligation=obligation, status="done").count() == 5


def test_the_sweep_costs_the_same_whatever_is_stored_when_nothing_is_due(world, ladder):
    # given commitments with plenty of future steps stored
    for _index in range(3):
        with time_machine.travel(at(datetime.date(2026, 3, 2), 10), tick=False):
            submit_commitment(world)
    assert WarningSchedule.objects.count() == 18

    with (
        time_machine.travel(at(datetime.date(2026, 3, 2), 11), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        result = obligation_warnings_sweep()

    assert result.settled == 0
    assert len(queries) <= 3  # one SELECT on the due index (plus savepoint bookkeeping)


def test_a_batch_costs_the_same_few_queries_for_one_or_many_due_items(world, ladder):
    def sweep_queries(day: datetime.date) -> tuple[int, int]:
        with (
            time_machine.travel(at(day, 9, 1), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            result = obligation_warnings_sweep()
        return result.warned, len(queries)

    # given one commitment due on 30 March and three due on 31 March (signed a day later)
    with time_machine.travel(at(datetime.date(2026, 3, 2), 10), tick=False):
        submit_commitment(world)
    with time_machine.travel(at(datetime.date(2026, 3, 3), 10), tick=False):
        for _index in range(3):
            submit_commitment(world)

    # then the first warnings (19 and 20 March) cost the same number of queries
    one = sweep_queries(datetime.date(2026, 3, 19))
    three = sweep_queries(datetime.date(2026, 3, 20))
    assert (one[0], three[0]) == (1, 3)
    assert one[1] == three[1]
