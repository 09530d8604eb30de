"""Input domains every app checks at its edge: text, dates and the names of uploaded files.

- **Text** is stored one way: Unicode NFC (a name typed with combining marks equals the
  precomposed one), every kind of space (full-width U+3000, no-break U+00A0, tabs) is a plain
  space, line breaks are ``\\n`` and the ends are stripped. Identifiers have their own, stricter
  folding (``directory.identifiers.normalise``: full-width to half-width, upper case).
- **Dates** lie within the configured horizon, ``CHENGNUO_DATE_HORIZON_YEARS`` years from
  today (default 5: the longest statutory span the domain knows is the special credit report's
  five years; publicity lasts at most three), and within any statutory limit the caller adds.
- **File names** of uploads are a plain name: no path, no control character, at most
  ``MAX_FILE_NAME_LENGTH`` characters (the kind of a file comes from its bytes).

Each check returns a message (or ``None``) so that every app raises its own error type with
it, naming its own field.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_DATE_HORIZON_YEARS = 5
MAX_FILE_NAME_LENGTH = 200
_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")


def normalise_text(value: str | None, *, multiline: bool = False) -> str:
    """Return ``value`` in NFC with spaces folded to one plain space and the ends stripped.

    A single-line value (a name) loses its line breaks too; a multi-line one keeps them as
    ``\\n`` and loses the spaces at the end of each line.
    """
    text = unicodedata.normalize("NFC", value or "")
    text = _LINE_BREAKS.sub("\n", text)
    if not multiline:
        return " ".join(text.split())
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def date_horizon_years() -> int:
    return int(getattr(settings, "CHENGNUO_DATE_HORIZON_YEARS", DEFAULT_DATE_HORIZON_YEARS))


def horizon_end(*, today: datetime.date) -> datetime.date:
    """The last date an input may name: the horizon's years after ``today``."""
    years = date_horizon_years()
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year + years, day=28)


def date_problem(
    value: datetime.date | datetime.datetime,
    *,
    today: datetime.date,
    earliest: datetime.date | None = None,
    latest: datetime.date | None = None,
) -> str | None:
    """Say why ``value`` is outside ``[earliest, min(latest, the horizon)]``, or None."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    limit = horizon_end(today=today)
    if latest is not None and latest < limit:
        limit = latest
    if day > limit:
        return _("Give a date no later than %(date)s.") % {"date": limit.isoformat()}
    if earliest is not None and day < earliest:
        return _("Give a date no earlier than %(date)s.") % {"date": earliest.isoformat()}
    return None


def file_name_problem(name: str | None) -> str | None:
    """Say why an uploaded file's name is unsafe, or None.

    The kind of a file is decided by its first bytes where it is stored, never by its name.
    """
    if not name:
        return None  # a body without a name (an API upload) is named by the platform
    if len(name) > MAX_FILE_NAME_LENGTH:
        return _("The file name is longer than %(max)d characters.") % {"max": MAX_FILE_NAME_LENGTH}
    if any(unicodedata.category(character).startswith("C") for character in name):
        return _("The file name contains control characters.")
    if "/" in name or "\\" in name or name.strip(". ") == "":
        return _("Give the file's name without a folder.")
    return None
