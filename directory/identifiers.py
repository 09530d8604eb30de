"""Subject identifiers: the unified social credit code (GB 32100-2015) and the resident
identity number (GB 11643). Pure functions, no Django models, so anything can use them."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
_RESIDENT_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")


class IdentifierKind(StrEnum):
    USCC = "uscc"
    RESIDENT_ID = "resident_id"


class IdentifierProblem(StrEnum):
    """Why an identifier was refused (format) or needs an officer's override (checksum)."""

    FORMAT = "format"
    CHECKSUM = "checksum"
    BIRTH_DATE = "birth_date"


@dataclass(frozen=True)
class IdentifierCheck:
    """The outcome of checking one identifier, already normalised."""

    kind: IdentifierKind
    value: str
    problem: IdentifierProblem | None = None
    expected_check_character: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.problem is None

    @property
    def is_overridable(self) -> bool:
        """A wrong check character in an otherwise well-formed code may be a legal early code."""
        return self.problem is IdentifierProblem.CHECKSUM


def normalise(raw: str) -> str:
    """Strip spaces, fold full-width characters to half-width and upper-case.

    Folding runs again after upper-casing: upper case can decompose a character (ǰ → J̌),
    and the stored value must be what normalising it again gives.
    """
    folded = unicodedata.normalize("NFKC", raw or "")
    return unicodedata.normalize("NFKC", "".join(folded.split()).upper())


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(raw: str) -> IdentifierCheck:
    value = normalise(raw)
    if not _USCC_FORMAT.match(value):
        return IdentifierCheck(IdentifierKind.USCC, value, IdentifierProblem.FORMAT)
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        return IdentifierCheck(IdentifierKind.USCC, value, IdentifierProblem.CHECKSUM, expected)
    return IdentifierCheck(IdentifierKind.USCC, value)


def resident_id_check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def check_resident_id(raw: str) -> IdentifierCheck:
    value = normalise(raw)
    if not _RESIDENT_ID_FORMAT.match(value):
        return IdentifierCheck(IdentifierKind.RESIDENT_ID, value, IdentifierProblem.FORMAT)
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return IdentifierCheck(IdentifierKind.RESIDENT_ID, value, IdentifierProblem.BIRTH_DATE)
    expected = resident_id_check_character(value[:17])
    if value[17] != expected:
        return IdentifierCheck(
            IdentifierKind.RESIDENT_ID, value, IdentifierProblem.CHECKSUM, expected
        )
    return IdentifierCheck(IdentifierKind.RESIDENT_ID, value)


def check_identifier(kind: IdentifierKind | str, raw: str) -> IdentifierCheck:
    if IdentifierKind(kind) is IdentifierKind.USCC:
        return check_uscc(raw)
    return check_resident_id(raw)


def mask_resident_id(value: str) -> str:
    """Show only the area and the last two characters: an ID number is personal data."""
    if len(value) != 18:
        return "*" * len(value)
    return f"{value[:6]}{'*' * 10}{value[-2:]}"


def mask_person_name(value: str) -> str:
    """Show a natural person's name as its first character and stars (e.g. ``张**``)."""
    return value[:1] + "*" * max(len(value) - 1, 1)
