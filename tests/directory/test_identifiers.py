"""Identifiers: GB 32100-2015 credit codes and GB 11643 resident identity numbers."""

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from directory.identifiers import (
    USCC_ALPHABET,
    IdentifierKind,
    IdentifierProblem,
    check_identifier,
    check_resident_id,
    check_uscc,
    mask_resident_id,
    normalise,
    resident_id_check_character,
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


# Properties (Hypothesis) ---------------------------------------------------------------------

USCC_BODY = st.tuples(
    st.sampled_from("123456789ABCDEFGNY"),  # registration authority
    st.sampled_from("1239"),  # kind of organisation
    st.text(alphabet="0123456789", min_size=6, max_size=6),  # area
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),  # organisation code
).map("".join)
BIRTH_DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2026, 12, 31))
RESIDENT_BODY = st.tuples(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    BIRTH_DATES,
    st.text(alphabet="0123456789", min_size=3, max_size=3),
).map(lambda parts: f"{parts[0]}{parts[1]:%Y%m%d}{parts[2]}")


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(USCC_BODY)
def test_a_code_with_its_computed_check_character_passes_typed_any_way(body):
    # given a well-formed code and the ways a person types it
    code = body + uscc_check_character(body)
    typed = [code, code.lower(), _full_width(code), f" {code[:6]}\u3000{code[6:]} "]

    # then every spelling is the same valid code
    for spelling in typed:
        check = check_uscc(spelling)
        assert check.is_valid, spelling
        assert check.value == code


@given(USCC_BODY, st.data())
def test_any_single_changed_character_of_a_code_is_caught(body, data):
    # given a valid code and one position changed to another character of the alphabet
    code = body + uscc_check_character(body)
    position = data.draw(st.integers(min_value=0, max_value=17))
    other = data.draw(st.sampled_from(USCC_ALPHABET).filter(lambda c: c != code[position]))
    changed = code[:position] + other + code[position + 1 :]

    # then the change is a format or checksum problem, never a valid code
    assert not check_uscc(changed).is_valid


@given(RESIDENT_BODY)
def test_a_resident_id_with_its_check_character_passes_and_masks_to_its_ends(body):
    number = body + resident_id_check_character(body)

    check = check_resident_id(_full_width(number.lower()))

    assert check.is_valid
    assert check.value == number
    assert mask_resident_id(number) == f"{number[:6]}{'*' * 10}{number[-2:]}"


@given(st.text(max_size=40), st.sampled_from(list(IdentifierKind)))
@example("y \u0304", IdentifierKind.USCC)  # removing the space let y and ̄ compose: Hypothesis
def test_any_text_is_answered_with_a_normalised_value_and_never_raises(raw, kind):
    check = check_identifier(kind, raw)

    assert check.value == normalise(raw)
    assert normalise(check.value) == check.value
    assert check.is_valid or check.problem in IdentifierProblem
