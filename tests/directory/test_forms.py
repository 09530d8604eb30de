"""The date and file inputs of the forms speak the page's language, not the browser's."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from directory.forms import DayField, MultipleFileField

DAY = datetime.date(2026, 12, 6)


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-06",
        "2026/12/06",
        "2026.12.6",
        "2026年12月6日",
        "２０２６－１２－０６",
        " 2026-12-06 ",
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_day_typed_year_first_is_read_in_either_language(language, typed):
    with translation.override(language):
        assert DayField().clean(typed) == DAY


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "请按“年-月-日”填写日期，例如 2026-12-06。"),
        ("en", "Enter the day as year-month-day, for example 2026-12-06."),
    ],
)
def test_a_day_written_month_first_is_refused_with_the_format_to_use(language, message):
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            DayField().clean("12/06/2026")
        assert refused.value.messages == [message]


@pytest.mark.parametrize(
    ("language", "hint"),
    [("zh-hans", 'placeholder="年-月-日"'), ("en", 'placeholder="YYYY-MM-DD"')],
)
def test_the_day_box_is_text_with_the_format_in_the_page_language(language, hint):
    with translation.override(language):
        html = DayField().widget.render("signed_from", DAY)
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert hint in html and 'value="2026-12-06"' in html
    assert 'type="date"' not in html


@pytest.mark.parametrize(
    ("language", "button", "empty"),
    [("zh-hans", "选择文件", "未选择文件"), ("en", "Choose files", "No file chosen")],
)
def test_the_file_box_draws_its_button_and_empty_text_in_the_page_language(language, button, empty):
    field = MultipleFileField(required=False, attrs={"accept": ".pdf"})
    with translation.override(language):
        html = field.widget.render("proofs", None, attrs={"id": "proofs"})
    assert 'type="file"' in html and 'id="proofs"' in html and "multiple" in html
    assert 'accept=".pdf"' in html
    assert f'<span class="file-entry-button">{button}</span>' in html
    assert f'<span class="file-entry-names">{empty}</span>' in html
    assert "js/file-entry.js" in html


def test_several_files_clean_to_a_list_and_none_to_an_empty_one():
    field = MultipleFileField(required=False)
    first = SimpleUploadedFile("a.pdf", b"%PDF-1.7 a")
    second = SimpleUploadedFile("b.pdf", b"%PDF-1.7 b")

    assert field.clean([first, second]) == [first, second]
    assert field.clean([]) == []
    assert field.clean(None) == []
