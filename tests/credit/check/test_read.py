"""The one portable statement of "check every case" answers exactly what the ORM selector does."""

from __future__ import annotations

import pytest
from django.utils import timezone

from credit.check.read import check_read
from credit.check.selectors import check_status
from credit.record.services.breaches import breach_record
from credit.record.services.lists import list_entries_enter_due


@pytest.mark.parametrize("purpose", ["approval", "bid", "subsidy"])
def test_check_read_answers_as_check_status_for_a_heavy_record(world, purpose):
    for _n in range(4):
        breach_record(
            subject_id=world.subject.pk,
            category_code="missed_obligation",
            severity="serious",
            reason="严重逾期",
            by=world.regulator,
        )
    [entry] = world.subject.credit_list_entries.all()
    list_entries_enter_due(on=entry.enter_not_before)
    today = timezone.localdate()

    for matter_code, matter_id in (("", None), (world.matter.code, world.matter.pk)):
        read = check_read(
            subject=world.subject.code, purpose=purpose, matter_code=matter_code, on=today
        )

        assert (read.matter_found, read.subject.pk, read.subject.name) == (
            True,
            world.subject.pk,
            world.subject.name,
        )
        assert read.status == check_status(
            subject_id=world.subject.pk, purpose=purpose, matter_id=matter_id, on=today
        )
        assert read.status.black_lists


def test_check_read_tells_an_unknown_matter_and_an_unknown_subject(world):
    today = timezone.localdate()

    unknown_matter = check_read(
        subject=world.subject.code, purpose="approval", matter_code="no-such", on=today
    )
    unknown_subject = check_read(
        subject="91440300XNOSUCH000", purpose="approval", matter_code="", on=today
    )

    assert (unknown_matter.matter_found, unknown_matter.subject.pk) == (False, world.subject.pk)
    assert (unknown_subject.matter_found, unknown_subject.subject, unknown_subject.status) == (
        True,
        None,
        None,
    )
