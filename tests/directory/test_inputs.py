"""Input domains at the edge: text stored one way, dates within the horizon, safe file names."""

from __future__ import annotations

import datetime
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from directory.inputs import (
    MAX_FILE_NAME_LENGTH,
    date_problem,
    file_name_problem,
    horizon_end,
    normalise_text,
)

TODAY = datetime.date(2026, 12, 4)


# Text ----------------------------------------------------------------------------------------


def test_a_name_typed_with_combining_marks_or_full_width_spaces_is_stored_one_way():
    # given the same name typed three ways: precomposed, decomposed, full-width spaces
    typed = ["Café 深圳\u3000科技", "Cafe\u0301  深圳 科技 ", "\u3000Café\u00a0深圳\t科技\n"]

    # when / then
    assert {normalise_text(value) for value in typed} == {"Café 深圳 科技"}


def test_multi_line_text_keeps_its_line_breaks_as_newlines():
    assert normalise_text(" 第一行\u3000\r\n第二行\r第三行 ", multiline=True) == (
        "第一行\n第二行\n第三行"
    )


@given(st.text(), st.booleans())
def test_normalised_text_is_nfc_stripped_and_normalising_again_changes_nothing(value, multiline):
    # when
    text = normalise_text(value, multiline=multiline)

    # then
    assert unicodedata.is_normalized("NFC", text)
    assert text == text.strip()
    assert normalise_text(text, multiline=multiline) == text
    assert not any(c.isspace() and c not in " \n" for c in text)
    assert multiline or "\n" not in text


# Dates ---------------------------------------------------------------------------------------


def test_the_horizon_is_five_years_by_default_and_configurable(settings):
    assert horizon_end(today=TODAY) == datetime.date(2031, 12, 4)
    assert horizon_end(today=datetime.date(2028, 2, 29)) == datetime.date(2033, 2, 28)

    settings.CHENGNUO_DATE_HORIZON_YEARS = 1
    assert horizon_end(today=TODAY) == datetime.date(2027, 12, 4)


def test_a_date_past_the_horizon_or_a_statutory_limit_is_refused_with_the_last_allowed_date(
    english,
):
    assert date_problem(datetime.date(9999, 12, 31), today=TODAY) == (
        "Give a date no later than 2031-12-04."
    )
    assert date_problem(datetime.date(2030, 1, 1), today=TODAY, latest=datetime.date(2029, 12, 4))
    assert date_problem(datetime.date(2026, 1, 1), today=TODAY, earliest=TODAY) == (
        "Give a date no earlier than 2026-12-04."
    )
    assert date_problem(datetime.date(2031, 12, 4), today=TODAY) is None


@given(st.dates(), st.dates(max_value=datetime.date(9000, 1, 1)))
def test_date_problem_answers_for_any_date_and_never_raises(value, today):
    problem = date_problem(value, today=today)

    assert (problem is None) == (value <= horizon_end(today=today))


# File names ----------------------------------------------------------------------------------


def test_unsafe_file_names_are_refused_with_the_reason(english):
    assert file_name_problem("../../etc/passwd") == "Give the file's name without a folder."
    assert file_name_problem("C:\\evidence.pdf") == "Give the file's name without a folder."
    assert file_name_problem("..") == "Give the file's name without a folder."
    assert file_name_problem("a\x00.pdf") == "The file name contains control characters."
    assert file_name_problem("报告\u202egpj.pdf") == "The file name contains control characters."
    assert file_name_problem("a" * 197 + ".pdf") == "The file name is longer than 200 characters."
    assert file_name_problem("租赁合同 2026.pdf") is None


@given(st.text(max_size=300))
def test_an_accepted_file_name_is_a_plain_printable_name_within_the_limit(name):
    if file_name_problem(name) is None and name:
        assert len(name) <= MAX_FILE_NAME_LENGTH
        assert "/" not in name and "\\" not in name
        assert name.strip(". ")
        assert all(not unicodedata.category(c).startswith("C") for c in name)
