"""History reasons are stored in English and read in the reader's language."""

from __future__ import annotations

from django.utils import translation

from directory.reasons import REASONS, reason_text


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
