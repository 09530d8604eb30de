"""Special credit reports: issue, refusals that change nothing, the public check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from commitments.lifecycle.services.breaches import MISSED_OBLIGATION, commitment_breach_record
from credit.changes.models import RecordChangeNotice
from credit.check.models import REPORT_PURPOSE, CallingSystem, CheckQuery
from credit.errors import CreditError, CreditErrorCode
from credit.record.models.breaches import Breach
from credit.record.services.repair import breach_repair
from credit.reports import services
from credit.reports.models import CreditReport
from credit.reports.services import REPORTS_SYSTEM_CODE
from notifications.models import OutboxMessage
from signing.models import SignedDocument
from signing.pades.outcome import VerificationCode
from tests.factories import (
    BreachCategoryFactory,
    BreachFactory,
    RepresentativeFactory,
    RuleSetFactory,
    UserFactory,
)
from tests.pdf_structure import xref_misplaced
from tests.pdf_text import pdf_text


def _state():
    """Everything a request could write besides its line in the check log."""
    return (
        CreditReport.objects.count(),
        SignedDocument.objects.count(),
        RecordChangeNotice.objects.count(),
        OutboxMessage.objects.count(),
        CallingSystem.objects.exclude(code=REPORTS_SYSTEM_CODE).count(),
    )


def _assert_refusal_logged(*, user, subject_code, span_from, span_until, code, field):
    """The one new line of the check log says who asked, when, what and why it was refused."""
    logged = CheckQuery.objects.get()
    assert logged.calling_system.code == REPORTS_SYSTEM_CODE
    assert logged.purpose == REPORT_PURPOSE
    assert (logged.subject_id, logged.subject_code) == (None, subject_code)
    assert logged.answer == {
        "refused": True,
        "code": code,
        "field": field,
        "message": logged.answer["message"],
        "requested_by": user.pk,
        "span_from": span_from.isoformat(),
        "span_until": span_until.isoformat(),
    }
    assert logged.answer["message"]  # the sentence the requester was shown
    assert user.get_username() in logged.reason and field in logged.reason
    assert logged.asked_at == timezone.now()  # the clock is frozen by the test


def _request(world, **changes):
    today = timezone.localdate()
    arguments = {
        "user": world.applicant,
        "subject_code": world.subject.code,
        "span_from": today - timedelta(days=365),
        "span_until": today,
    }
    return services.report_request(**(arguments | changes))


@pytest.fixture
def breach(world, under_verification) -> Breach:
    return commitment_breach_record(
        commitment=under_verification,
        by=world.regulator,
        severity="general",
        category_code=MISSED_OBLIGATION,
        reason="逾期未提交材料",
        obligation=under_verification.obligations.get(),
    ).breach


def test_a_representative_gets_a_sealed_report_listing_each_category(world, breach, tmp_path):
    report = _request(world)

    data = services.report_pdf(report)
    assert xref_misplaced(data) == []  # the seal's two revisions are correct updates
    text = "".join(pdf_text(data, tmp_path, layout=False).split())  # cells wrap lines
    assert report.reference in text
    assert world.subject.name in text
    assert "逾期未提交材料" in text  # the breach, under "other records" by its category
    assert "".join(breach.rule_set.name.split()) in text  # the rule set of each entry
    assert "Administrativepenalties" in text and "None" in text  # an empty category says so
    assert "None(无)" not in text  # in English only
    assert report.entry_count >= 1
    check = services.report_check(reference=report.reference)
    assert (check.is_genuine, check.code, check.record_changed) == (
        True,
        VerificationCode.VALID,
        False,
    )
    logged = CheckQuery.objects.get(purpose=REPORT_PURPOSE)
    assert (logged.subject_id, logged.answer["report"]) == (world.subject.pk, report.reference)


@pytest.mark.parametrize(
    ("language", "words", "notes", "other_language"),
    [
        (
            "zh-hans",
            ("多条记录适用规则", "《行政许可法》第六十九条"),
            "上列记录适用的规则及法律依据",
            "Rule",
        ),
        (
            "en",
            ("Rules for many records", "Article 69 of the Licensing Law"),
            "Rule sets and legal bases referred to above",
            "适用",
        ),
    ],
)
def test_each_rule_set_s_legal_basis_is_printed_once_and_each_row_refers_to_it(
    world, tmp_path, language, words, notes, other_language
):
    rule_set = RuleSetFactory(name="多条记录适用规则", name_en="Rules for many records")
    category = BreachCategoryFactory(
        legal_basis="《行政许可法》第六十九条", legal_basis_en="Article 69 of the Licensing Law"
    )
    today = timezone.localdate()
    for day in range(1, 13):
        BreachFactory(
            subject=world.subject,
            rule_set=rule_set,
            category=category,
            record_date=today - timedelta(days=day),
            reason=f"逾期未提交材料{day}",
        )
    # the same category's record under another rule set: a second basis
    BreachFactory(subject=world.subject, category=category, record_date=today)

    with translation.override(language):
        report = _request(world)
    text = "".join(pdf_text(services.report_pdf(report), tmp_path, layout=False).split())

    rule_set_name, basis = ("".join(word.split()) for word in words)
    assert text.count(rule_set_name) == 1 and notes.replace(" ", "") in text
    assert text.count(basis) == 2  # once under each rule set, in the notes
    # the twelve rows and their note, then the other rule set's row and its note
    assert (text.count("[1]"), text.count("[2]"), text.count("[3]")) == (13, 2, 0)
    assert other_language not in text  # the headings speak the report's language only
    assert services.report_check(reference=report.reference).is_genuine


def test_an_agent_the_representative_authorised_may_request_too(world, breach):
    agent = UserFactory(username="agent")
    RepresentativeFactory(subject=world.subject, user=agent, agent=True)

    report = _request(world, user=agent)

    assert report.subject == world.subject


def test_a_repaired_item_is_marked_and_the_check_says_the_record_changed(world, breach, tmp_path):
    report = _request(world)

    breach_repair(breach_id=breach.pk, by=world.regulator, on=timezone.localdate(), case="t")
    later = _request(world)

    assert services.report_check(reference=report.reference).record_changed is True
    assert "Repaired" in pdf_text(services.report_pdf(later), tmp_path, layout=False)
    assert services.report_check(reference=later.reference).record_changed is False


@pytest.mark.parametrize(
    ("span", "field"),
    [
        (lambda today: (today - timedelta(days=5 * 366), today), "span_from"),
        (lambda today: (today - timedelta(days=10), today + timedelta(days=1)), "span_until"),
        (lambda today: (today, today - timedelta(days=1)), "span_from"),
    ],
    ids=["over-five-years", "in-the-future", "reversed"],
)
def test_a_bad_span_is_refused_logged_and_nothing_else_is_written(world, span, field):
    span_from, span_until = span(timezone.localdate())
    before = _state()

    with time_machine.travel(timezone.now(), tick=False):
        with pytest.raises(CreditError) as raised:
            _request(world, span_from=span_from, span_until=span_until)

        assert (raised.value.code, raised.value.field) == (CreditErrorCode.INVALID, field)
        _assert_refusal_logged(
            user=world.applicant,
            subject_code=world.subject.code,
            span_from=span_from,
            span_until=span_until,
            code="invalid",
            field=field,
        )
    assert _state() == before


def test_exactly_five_years_ending_today_is_accepted(world):
    today = date(2026, 12, 6)
    report = _request(world, span_from=date(2021, 12, 6), span_until=today, today=today)
    assert (report.span_from, report.span_until) == (date(2021, 12, 6), today)


def test_a_subject_the_requester_does_not_represent_is_refused_and_logged(world):
    before = _state()
    today = timezone.localdate()

    with time_machine.travel(timezone.now(), tick=False):
        with pytest.raises(CreditError) as raised:
            _request(world, user=world.stranger, subject_code=" " + world.subject.code.lower())

        assert (raised.value.code, raised.value.field) == (CreditErrorCode.NOT_FOUND, "subject")
        _assert_refusal_logged(
            user=world.stranger,
            subject_code=world.subject.code,  # as typed, normalised; no link to the subject
            span_from=today - timedelta(days=365),
            span_until=today,
            code="not_found",
            field="subject",
        )
    assert _state() == before


def test_a_refused_request_owes_the_subject_s_changes_to_no_one(world, breach):
    """A refused requester received nothing, so a later repair is not queued on its account."""
    with pytest.raises(CreditError):
        _request(world, user=world.stranger)

    breach_repair(breach_id=breach.pk, by=world.regulator, on=timezone.localdate(), case="t")

    assert not RecordChangeNotice.objects.filter(calling_system__code=REPORTS_SYSTEM_CODE).exists()


def test_a_reference_that_does_not_exist_is_refused(world):
    with pytest.raises(CreditError) as raised:
        services.report_check(reference="SR-2026-NOSUCHREF")
    assert (raised.value.code, raised.value.field) == (CreditErrorCode.NOT_FOUND, "reference")


def test_a_tampered_pdf_is_not_genuine(world, breach):
    report = _request(world)
    data = bytearray(services.report_pdf(report))
    position = data.index(b"/Producer")
    data[position + 12 : position + 13] = b"X"  # one byte changed inside the sealed range

    check = services.report_check(reference=report.reference, pdf=bytes(data))

    assert check.is_genuine is False
    assert check.code != VerificationCode.VALID
    assert check.reason


def test_a_genuine_pdf_of_another_report_does_not_pass_for_this_one(world, breach):
    first, second = _request(world), _request(world)

    check = services.report_check(reference=first.reference, pdf=services.report_pdf(second))

    assert check.code == VerificationCode.VALID and check.is_genuine is False
    assert "not the report issued under this reference" in check.reason


def test_revoked_records_are_left_out(world):
    BreachFactory(subject=world.subject, record_date=timezone.localdate(), status="revoked")
    report = _request(world)
    assert report.entry_count == 0


@pytest.mark.parametrize(
    ("span_from", "span_until", "field"),
    [("2026-02-30", "2026-03-01", "span_from"), ("2026-01-01", "tomorrow", "span_until")],
)
def test_a_day_that_is_not_a_date_is_refused_and_logged_as_typed(
    world, span_from, span_until, field
):
    before = _state()

    with time_machine.travel(timezone.now(), tick=False):
        with pytest.raises(CreditError) as raised:
            services.report_request(
                user=world.applicant,
                subject_code=world.subject.code,
                span_from=span_from,
                span_until=span_until,
            )

        assert (raised.value.code, raised.value.field) == (CreditErrorCode.INVALID, field)
        answer = CheckQuery.objects.get().answer
        assert (answer["field"], answer["span_from"], answer["span_until"]) == (
            field,
            span_from,
            span_until,
        )
        assert answer["requested_by"] == world.applicant.pk
    assert _state() == before


def test_a_typed_span_that_parses_is_requested_as_usual(world):
    today = timezone.localdate()

    report = services.report_request(
        user=world.applicant,
        subject_code=world.subject.code,
        span_from=f" {(today - timedelta(days=30)).isoformat()} ",
        span_until=today.isoformat(),
    )

    assert (report.span_from, report.span_until) == (today - timedelta(days=30), today)
    assert not CheckQuery.objects.filter(answer__refused=True).exists()
