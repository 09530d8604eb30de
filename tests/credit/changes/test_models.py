"""Record change notices: one per calling system, record and change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from credit.changes.models import RecordChangeNotice
from tests.factories import RecordChangeNoticeFactory


def test_the_factory_makes_a_valid_undelivered_notice(db):
    notice = RecordChangeNoticeFactory()

    notice.full_clean()
    assert (notice.change, notice.delivered_at) == (RecordChangeNotice.Change.REPAIRED, None)


def test_a_system_hears_of_one_change_of_a_record_once(db):
    notice = RecordChangeNoticeFactory()

    with pytest.raises(ValidationError):
        RecordChangeNoticeFactory.build(
            calling_system=notice.calling_system, breach=notice.breach, change=notice.change
        ).full_clean()
    assert RecordChangeNotice.objects.count() == 1
