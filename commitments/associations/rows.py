"""Reading a members' CSV file: its encoding, its columns, and the checks of one row that need
no database. Streams the file: nothing holds more than one row.

Encodings: UTF-8 with or without a byte-order mark, and GB18030 (what Excel and WPS save on a
Chinese Windows, a superset of GBK and GB2312). A file that is neither is refused whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

from directory.identifiers import IdentifierProblem, check_uscc, normalise

BLOCK = 1 << 16
NAME_MAX = 200
CONTACT_MAX = 100

# The columns a file may have, each with the headings people write (both languages).
COLUMN_HEADINGS: dict[str, tuple[str, ...]] = {
    "code": (
        "统一社会信用代码",
        "信用代码",
        "社会信用代码",
        "code",
        "uscc",
        "unified social credit code",
    ),
    "name": ("名称", "企业名称", "会员名称", "单位名称", "name", "company name", "member name"),
    "contact": ("联系人", "contact", "contact person"),
    "phone": ("联系电话", "电话", "手机", "phone", "telephone", "mobile"),
    "email": ("电子邮箱", "邮箱", "email", "e-mail"),
}
CONTACT_COLUMNS = ("contact", "phone", "email")


def column_labels() -> dict[str, str]:
    """Each column a file may have, by its stable key, named in the reader's language."""
    return {
        "code": _("unified social credit code"),
        "name": _("name"),
        "contact": _("contact person"),
        "phone": _("phone"),
        "email": _("e-mail"),
    }


def reason_messages() -> dict[str, str]:
    """Each row outcome's reason, by its stable code, in the reader's language."""
    return {
        "extra_cells": _("The row has more values than the file has columns."),
        "code_missing": _("Give the member's unified social credit code."),
        "code_format": _(
            "A unified social credit code has 18 characters: digits and capital letters "
            "without I, O, S, V or Z."
        ),
        "code_checksum": _(
            "The code's check character is wrong: compare the code with the business licence."
        ),
        "name_missing": _("Give the member's name."),
        "too_long": _("The value is too long."),
        "name_mismatch": _("The name differs from the member's registered name."),
        "not_member": _("This company is not a member of the association."),
        "duplicate": _("The same member is on an earlier row of this file: issued once only."),
        "already_issued": _("This member already has this pledge from the association."),
        "excluded": _("The member may not make commitments now: it is on an excluding list."),
        "field_invalid": _("A value the pledge needs is missing or too long."),
        "no_department": _("No department handles the pledge's matter in the member's region."),
        "refused": _("The pledge could not be issued to this member."),
    }


class FileProblem(ValueError):
    """Why a whole file is refused: a stable code, the column at fault if any."""

    def __init__(self, code: str, column: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.column = column


def detect_encoding(stream: BinaryIO) -> str:
    """``utf-8-sig`` (a byte-order mark), ``utf-8`` or ``gb18030``: the first that decodes the
    whole file, read block by block."""
    stream.seek(0)
    if stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for block in iter(lambda: stream.read(BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileProblem("encoding")


def heading_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def column_map(headings: list[str], *, template_fields: list[dict]) -> list[str]:
    """Each heading's column name (``code``, ``name``, a contact column or a template field);
    refuses an unknown, repeated or missing column."""
    known = {heading_key(h): column for column, hs in COLUMN_HEADINGS.items() for h in hs}
    for spec in template_fields:
        for heading in (spec["name"], spec.get("label", ""), spec.get("label_en", "")):
            if heading:
                known[heading_key(heading)] = f"field:{spec['name']}"
    columns = []
    for heading in headings:
        column = known.get(heading_key(heading))
        if column is None:
            raise FileProblem("unknown_column", heading)
        if column in columns:
            raise FileProblem("repeated_column", heading)
        columns.append(column)
    for required in ("code", "name"):
        if required not in columns:
            raise FileProblem("missing_column", COLUMN_HEADINGS[required][0])
    return columns


def records(stream: BinaryIO, *, encoding: str) -> Iterator[list[str]]:
    """The file's records (the heading first), decoded, one at a time."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield from csv.reader(text)
    finally:
        text.detach()


def data_rows(stream: BinaryIO, *, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank data row with its row number as a spreadsheet shows it (heading = 1)."""
    for index, cells in enumerate(records(stream, encoding=encoding)):
        if index and any(cell.strip() for cell in cells):
            yield index + 1, cells


@dataclass
class ParsedRow:
    """One data row after the checks that need no database."""

    line_number: int
    code: str = ""
    name: str = ""
    contact: dict = field(default_factory=dict)
    field_values: dict = field(default_factory=dict)
    reasons: list[dict] = field(default_factory=list)

    def refuse(self, code: str, column: str = "") -> None:
        self.reasons.append({"code": code, "field": column})


def row_parse(line_number: int, cells: list[str], *, columns: list[str]) -> ParsedRow:
    """Check one row's shape, code and name; the member and duplicates are checked later."""
    row = ParsedRow(line_number=line_number)
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        row.refuse("extra_cells")
    values = dict(zip(columns, (cell.strip() for cell in cells), strict=False))
    raw_code = values.get("code", "")
    row.code = normalise(raw_code)[:64]
    row.name = " ".join(values.get("name", "").split())[:NAME_MAX]
    if not row.code:
        row.refuse("code_missing", "code")
    else:
        check = check_uscc(raw_code)
        if check.problem is IdentifierProblem.CHECKSUM:
            row.refuse("code_checksum", "code")
        elif not check.is_valid:
            row.refuse("code_format", "code")
    if not row.name:
        row.refuse("name_missing", "name")
    elif len(" ".join(values.get("name", "").split())) > NAME_MAX:
        row.refuse("too_long", "name")
    for column in CONTACT_COLUMNS:
        if value := values.get(column, ""):
            if len(value) > CONTACT_MAX:
                row.refuse("too_long", column)
            row.contact[column] = value[:CONTACT_MAX]
    row.field_values = {
        column.removeprefix("field:"): value
        for column, value in values.items()
        if column.startswith("field:")
    }
    return row
