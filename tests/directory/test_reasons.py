"""History reasons are stored in English and read in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.text import capfirst
from simple_history.models import ModelChange

from commitments.lifecycle.models import Commitment
from directory.reasons import REASONS, RecordedTexts, reason_text
from directory.templatetags.reasons import history_change


def test_a_stored_reason_reads_in_chinese_with_its_values_kept():
    with translation.override("zh-hans"):
        assert reason_text("signed") == "已签署"
        assert reason_text("verification opened at sz-amr") == "已在sz-amr启动核查"
        assert reason_text("exempt under rule 12") == "依第12号规则免予核查"


def test_a_value_that_is_itself_a_reason_is_translated_too():
    with translation.override("zh-hans"):
        assert reason_text("delegation: demo data") == "委托：演示数据"


def test_an_unknown_or_empty_reason_is_shown_as_stored():
    with translation.override("zh-hans"):
        assert reason_text("出差一周") == "出差一周"
        assert reason_text(None) == ""
        assert reason_text("") == ""


def test_english_readers_read_the_reason_as_stored():
    with translation.override("en"):
        assert reason_text("verification opened at sz-amr") == "verification opened at sz-amr"


def test_every_reason_has_its_chinese():
    with translation.override("zh-hans"):
        untranslated = [reason for reason in REASONS if translation.gettext(reason) == reason]
    assert untranslated == []


@pytest.mark.parametrize(
    "change",
    [
        lambda: ModelChange("status", "draft", "signed"),
        # the admin's history helper hands each change over as a mapping, the field already
        # named in the reader's language
        lambda: {
            "field": capfirst(Commitment._meta.get_field("status").verbose_name),
            "old": "draft",
            "new": "signed",
        },
    ],
)
def test_a_history_change_names_the_field_and_shows_choices_by_label(change):
    with translation.override("zh-hans"):
        shown = history_change(Commitment(), change())
        assert str(shown["field"]) == str(Commitment._meta.get_field("status").verbose_name)
        assert shown["old"] == Commitment.Status.DRAFT.label
        assert shown["new"] == Commitment.Status.SIGNED.label
        assert str(shown["old"]) != "draft"


def test_a_history_change_of_an_unknown_field_shows_the_values_as_they_are():
    shown = history_change(Commitment(), {"field": "Gone", "old": "a", "new": "b"})
    assert shown == {"field": "Gone", "old": "a", "new": "b"}


def test_recorded_texts_tell_the_platforms_texts_from_typed_ones():
    texts = RecordedTexts(("calling system %(code)s", "registered"))

    assert texts.is_recorded("calling system sz-approvals")
    assert texts.is_recorded("registered")
    assert not texts.is_recorded("nightly export")
    assert not texts.is_recorded("")
    with translation.override("zh-hans"):
        assert texts.text("calling system sz-approvals") == "调用系统 sz-approvals"
        assert texts.text("nightly export") == "nightly export"
