"""The applicant's home (``commitments:list``): what to do next, counted over its own
subjects; and a breached commitment's page: what happened, what it means, what to do."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from commitments.lifecycle.services.verification import verification_record
from commitments.obligations.models import Obligation
from credit.record.models.breaches import Breach
from notifications.services.inbox import notification_send
from tests.factories import (
    CommitmentFactory,
    ObligationFactory,
    RepresentativeFactory,
    SubjectFactory,
    UserFactory,
)
from tests.homes import home_count, signed_in
from tests.workflows.conftest import FIELD_VALUES, submit_commitment

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECORDED_ON = date(2026, 5, 11)


def _at(day: date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def _breached(world) -> Commitment:
    """A commitment of the world's subject found false on 2026-05-11 (order 36 applies)."""
    commitment = submit_commitment(world)
    with time_machine.travel(_at(RECORDED_ON), tick=False):
        verification_record(
            commitment=commitment,
            regulator=world.regulator,
            method="on_site",
            finding="breached",
            reason="经营场所与承诺不符",
        )
    return Commitment.objects.get(pk=commitment.pk)


def _detail_html(user, commitment: Commitment, language: str = "en") -> str:
    page = signed_in(user, language).get(reverse("commitments:detail", args=[commitment.reference]))
    return page.content.decode()


# The home -----------------------------------------------------------------------------------


def test_the_home_counts_the_applicants_own_work_and_links_to_each_list(world):
    # Given two drafts, one commitment under verification with an obligation overdue and one
    # due tomorrow, an unread message, and another company's draft that must not count,
    commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )
    commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )
    submitted = submit_commitment(world)
    today = dt.date.today()
    submitted.obligations.all().delete()
    ObligationFactory(commitment=submitted, due_date=today - dt.timedelta(days=3))
    ObligationFactory(commitment=submitted, due_date=today + dt.timedelta(days=1))
    ObligationFactory(commitment=submitted, due_date=today + dt.timedelta(days=60))
    notification_send(recipient=world.applicant, key="home-test", subject="Hello", body="Hello")
    stranger_subject = SubjectFactory(representative=world.stranger)
    CommitmentFactory(subject=stranger_subject, template=world.template, created_by=world.stranger)

    # When the applicant opens its home,
    response = signed_in(world.applicant).get(reverse("commitments:list"))

    # then each count is its own and links to the list behind it.
    html = response.content.decode()
    assert home_count(html, "home-drafts") == 2
    assert home_count(html, "home-awaiting") == 1
    assert home_count(html, "home-overdue") == 1
    assert home_count(html, "home-due-soon") == 1
    assert home_count(html, "home-breached") == 0
    assert home_count(html, "home-messages") == 1
    assert f'href="{reverse("commitments:list")}?status=draft" data-testid="home-drafts"' in html
    assert f'href="{reverse("commitments:obligations")}" data-testid="home-overdue"' in html
    assert f'href="{reverse("notifications:list")}" data-testid="home-messages"' in html
    record = reverse("credit:record", args=[world.subject.code])
    assert f'href="{record}" data-testid="home-credit-record"' in html
    # The menu leads to the credit record too.
    assert f'href="{record}" data-testid="nav-credit"' in html
    assert 'data-testid="breach-next"' not in html


def test_the_home_costs_the_same_few_queries_however_much_work_there_is(world):
    client = signed_in(world.applicant)
    submit_commitment(world)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("commitments:list"))
    for _ in range(6):
        submit_commitment(world)
        commitment_create(
            by=world.applicant,
            subject=world.subject,
            template=world.template,
            field_values=FIELD_VALUES,
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("commitments:list"))

    assert len(response.context["commitments"]) == 13
    # 16, and three for the list's filters and urgency (the companies and kinds offered, the
    # calendar's working days), one for the menu's letter-review permission (ADR 0021) and one
    # for the open rectification orders the home lists (ADR 0024).
    assert len(many.captured_queries) == len(few.captured_queries) <= 20


def test_an_applicant_with_nothing_to_do_is_told_so(world):
    response = signed_in(world.applicant).get(reverse("commitments:list"))

    html = response.content.decode()
    assert 'data-testid="home-nothing"' in html
    assert home_count(html, "home-drafts") == 0


# A breached commitment -----------------------------------------------------------------------


def test_a_breach_of_the_commitment_closes_its_pending_obligations(world):
    commitment = _breached(world)

    obligation = commitment.obligations.get()
    assert obligation.status == Obligation.Status.CLOSED
    assert obligation.history.order_by("-history_id").first().history_change_reason == (
        "closed: the commitment was breached"
    )


def test_the_breached_applicant_sees_what_happened_what_it_means_and_what_to_do(world):
    commitment = _breached(world)
    breach = Breach.objects.get(source_kind="commitment", source_id=commitment.pk)

    # Before the minimum publicity period ends, the applicant may object but not yet repair.
    with time_machine.travel(_at(date(2026, 6, 1)), tick=False):
        page = signed_in(world.applicant).get(
            reverse("commitments:detail", args=[commitment.reference])
        )

    html = page.content.decode()
    assert "Breach recorded: " in html
    assert breach.category.name in html
    for measure in breach.measures.select_related("measure_type"):
        assert measure.measure_type.name in html
    assert "until 2027-05-11 at the latest" in html
    assert "You may apply to repair the record from 2026-08-11." in html
    objection = reverse("repair:objection", args=[world.subject.code, breach.pk])
    assert f'href="{objection}" data-testid="breach-object"' in html
    assert 'data-testid="breach-repair"' not in html
    # Its obligation no longer reads "pending".
    assert "Closed by the commitment&#x27;s breach" in html
    assert ">Pending<" not in html

    # After it, the repair button is there, on the commitment and on the home.
    with time_machine.travel(_at(date(2026, 8, 12)), tick=False):
        client = signed_in(world.applicant)
        detail = client.get(reverse("commitments:detail", args=[commitment.reference]))
        home = client.get(reverse("commitments:list"))

    repair = reverse("repair:repair", args=[world.subject.code, breach.pk])
    for response in (detail, home):
        assert f'href="{repair}" data-testid="breach-repair"' in response.content.decode()
    assert home_count(home.content.decode(), "home-breached") == 1


def test_a_breach_under_objection_offers_no_second_objection(world):
    commitment = _breached(world)
    Breach.objects.filter(source_id=commitment.pk).update(status=Breach.Status.UNDER_OBJECTION)

    html = _detail_html(world.applicant, commitment)

    assert 'data-testid="breach-next"' in html
    assert 'data-testid="breach-object"' not in html
    assert 'data-testid="breach-repair"' not in html


def test_a_regulator_reads_the_breach_without_the_subjects_buttons(world):
    commitment = _breached(world)

    html = _detail_html(world.regulator, commitment)

    assert 'data-testid="breach-next"' in html
    assert 'data-testid="breach-object"' not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_breach_panel_speaks_one_language(world, language):
    commitment = _breached(world)

    html = _detail_html(world.applicant, commitment, language)

    heading = {"zh-hans": "已记录失信行为", "en": "Breach recorded"}[language]
    assert heading in html
    assert ("What it means" in html) is (language == "en")


def test_someone_elses_applicant_sees_no_home_counts_of_this_subject(world):
    _breached(world)
    other = UserFactory()

    html = signed_in(other).get(reverse("commitments:list")).content.decode()

    assert 'data-testid="breach-next"' not in html
    assert home_count(html, "home-breached") == 0


def test_the_letter_officers_menu_counts_the_letters_to_review(world):
    RepresentativeFactory(pending_letter=True, subject=SubjectFactory(name="待审公司"))
    officer = UserFactory(is_staff=True)

    officer_html = signed_in(officer).get(reverse("commitments:list")).content.decode()
    applicant_html = signed_in(world.applicant).get(reverse("commitments:list")).content.decode()

    reviews = reverse("commitments:letter_reviews")
    assert f'href="{reviews}" data-testid="nav-letter-reviews"' in officer_html
    assert '<span class="badge" data-testid="letter-count">1</span>' in officer_html
    assert 'data-testid="nav-letter-reviews"' not in applicant_html
