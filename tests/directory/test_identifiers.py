"""Identifiers: GB 32100-2015 credit codes and GB 11643 resident identity numbers."""

import pytest

from directory.identifiers import (
    IdentifierProblem,
    check_resident_id,
    check_uscc,
    mask_resident_id,
    normalise,
    uscc_check_character,
)
from directory.models import Subject


@pytest.mark.parametrize(
    "code",
    ["914403001922038216", "9144030071526726XG", "91330100799655058B", "91350100M000100Y43"],
)
def test_valid_credit_codes_pass(code):
    check = check_uscc(code)

    assert check.is_valid
    assert check.value == code


def test_standard_worked_example_check_character_is_3():
    assert uscc_check_character("91350100M000100Y4") == "3"


def test_letter_outside_the_code_alphabet_is_a_format_error():
    check = check_uscc("91350100M000100Y4Z")

    assert check.problem is IdentifierProblem.FORMAT
    assert not check.is_overridable
    assert check.expected_check_character is None


def test_wrong_check_character_names_the_expected_one_and_is_overridable():
    check = check_uscc("914403001922038217")

    assert check.problem is IdentifierProblem.CHECKSUM
    assert check.expected_check_character == "6"
    assert check.is_overridable


@pytest.mark.parametrize("code", ["9144030019220382", "9144030019220382166", ""])
def test_wrong_length_is_a_format_error(code):
    assert check_uscc(code).problem is IdentifierProblem.FORMAT


def test_full_width_spaced_lower_case_input_is_normalised():
    check = check_uscc("９１４４ ０３００ ７１５２ ６７２６ｘｇ")

    assert check.is_valid
    assert check.value == "9144030071526726XG"


def test_normalise_strips_every_kind_of_space():
    assert normalise(" 9144\u30000300\t1922038216 ") == "914403001922038216"


def test_valid_resident_id_passes_and_lower_case_x_is_accepted():
    assert check_resident_id("11010519491231002X").is_valid
    assert check_resident_id("11010519491231002x").value == "11010519491231002X"


def test_resident_id_with_impossible_birth_date_is_refused():
    check = check_resident_id("110105194902300020")  # 30 February 1949

    assert check.problem is IdentifierProblem.BIRTH_DATE
    assert not check.is_overridable


def test_resident_id_with_wrong_check_character_names_the_expected_one():
    check = check_resident_id("110105194912310021")

    assert check.problem is IdentifierProblem.CHECKSUM
    assert check.expected_check_character == "X"


def test_resident_id_with_letters_is_a_format_error():
    assert check_resident_id("1101051949123100AX").problem is IdentifierProblem.FORMAT


def test_resident_id_is_masked_except_area_and_last_two():
    assert mask_resident_id("11010519491231002X") == "110105**********2X"


def test_malformed_value_is_masked_entirely():
    assert mask_resident_id("12345") == "*****"


def test_person_display_code_is_masked_and_company_code_is_not():
    person = Subject(kind=Subject.Kind.PERSON, code="11010519491231002X", name="张三")
    company = Subject(kind=Subject.Kind.COMPANY, code="914403001922038216", name="某公司")

    assert person.display_code == "110105**********2X"
    assert "19491231" not in str(person)
    assert company.display_code == "914403001922038216"
