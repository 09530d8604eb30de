"""A plain-text table flowable for long listings: the rows of a credit report.

reportlab's ``Table`` of ``Paragraph`` cells lays out every cell with the CJK line breaker,
which measures each character again through ``stringWidth`` for every wrap and again to draw
(about 12 ms per row of six cells: a 500-entry report spent 86 % of its time there). The
cells of a listing are plain text in one font and size, so this flowable breaks them itself,
once, with each character's width looked up in a per-font table (``char_widths``), and draws
each line with one ``drawString``. It splits between rows across pages, repeating the header
row, like ``Table(repeatRows=1)``.

Line breaking: between any two CJK characters, and at spaces between words of other scripts
(a word wider than its column is broken between characters), under the Chinese line-start
and line-end rules (禁则, GB/T 15834 and W3C clreq): no line starts with closing punctuation
(``。，、；：？！）」』》`` and the like) and none ends with an opening bracket (``（「『《``):
the characters before the break move down with it (push-out), so no line grows wider than
its column. A line that would be emptied keeps its characters (the rule gives way to width).

Tagged like ``signing.render.tagging.TaggedTable``: the table, each row and each cell marked
(``Table``, ``TR``, ``TH``/``TD``; the header rows' cells head their columns, and with
``row_headers`` the first column's cells head their rows), the grid and the header's
background artifacts. A cell's text is the cell's own marked content (no paragraph inside),
and every cell of a table is drawn in one text object: a 500-entry listing is about 3,500
structure elements instead of 7,000 (ADR 0034's amendment).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable

from signing.render.tagging import artifact_begin, artifact_end, cell_mark, role_begin, role_end

# Characters that may not begin a line: closing punctuation, stops, iteration marks, small
# kana; and those that may not end one: opening brackets and quotes.
NOT_AT_LINE_START = frozenset(
    "。．，、；：？！‼⁇⁈⁉）］｝〕〉》」』】〙〗〟’”｠»…‥〜～・·ー々〻ヽヾゝゞ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ,.;:?!)]}%"
)
NOT_AT_LINE_END = frozenset("（［｛〔〈《「『【〘〖〝‘“｟«([{")
# A token is a run of non-space characters that are not CJK (a Latin word, a number, a
# date), with the spaces after it, or a single other character (CJK breaks anywhere).
_TOKENS = re.compile(r"[\u0021-\u024f\u2010-\u2027\u2030-\u205e]+\s*|\s+|.", re.DOTALL)


class _Widths(dict):
    """Each character's advance width in one font at one size, measured on first use."""

    def __init__(self, font_name: str, font_size: float) -> None:
        super().__init__()
        self.font_name = font_name
        self.font_size = font_size
        self.lines: dict[tuple[str, float], list[str]] = {}

    def __missing__(self, character: str) -> float:
        width = stringWidth(character, self.font_name, self.font_size)
        self[character] = width
        return width


@lru_cache(maxsize=32)
def char_widths(font_name: str, font_size: float) -> _Widths:
    """The shared width table of a registered font at a size (kept per process)."""
    return _Widths(font_name, font_size)


def wrap_text(text: str, width: float, widths: _Widths) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (see the module); newlines are kept.

    The lines of a (text, width) are kept per width table: a listing repeats most of its cells
    (dates, departments, rule sets, statuses).
    """
    key = (text, width)
    lines = widths.lines.get(key)
    if lines is None:
        if len(widths.lines) > 20_000:
            widths.lines.clear()
        lines = widths.lines[key] = _wrap(text, width, widths)
    return lines


def _wrap(text: str, width: float, widths: _Widths) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []  # the tokens of the line being filled
        used = 0.0
        for token in _TOKENS.findall(paragraph):
            size = _width(token, widths)
            if used + size <= width or not line:
                if size > width and not line:
                    # a word wider than the column: break it between characters
                    for character in token:
                        advance = widths[character]
                        if used + advance > width and line:
                            lines.append("".join(line).rstrip())
                            line, used = [], 0.0
                        line.append(character)
                        used += advance
                    continue
                line.append(token)
                used += size
                continue
            carried = _carry(line, token, width - size, widths)
            lines.append("".join(line).rstrip())
            line = [*carried, token]
            line[0] = line[0].lstrip()
            used = sum(_width(part, widths) for part in line)
        lines.append("".join(line).rstrip())
    return lines


def _width(token: str, widths: _Widths) -> float:
    return widths[token] if len(token) == 1 else sum(map(widths.__getitem__, token))


def _carry(line: list[str], token: str, room: float, widths: _Widths) -> list[str]:
    """Take from the end of ``line`` the tokens that must go down with ``token`` to the next
    line (the line-start and line-end rules), as long as some stay and they fit in ``room``."""
    carried: list[str] = []
    while _breaks_a_rule(line, carried[0] if carried else token):
        room -= _width(line[-1], widths)
        if len(line) == 1 or room < 0 or not "".join(line[:-1]).strip():
            line.extend(carried)  # the line would empty or the next overflow: width wins
            return []
        carried.insert(0, line.pop())
    return carried


def _breaks_a_rule(line: list[str], next_token: str) -> bool:
    """Whether breaking between ``line`` and ``next_token`` starts or ends a line wrongly."""
    first, last = next_token.lstrip()[:1], line[-1].rstrip()[-1:]
    return first in NOT_AT_LINE_START or last in NOT_AT_LINE_END


class _LineWriter:
    """Writes a line's text operators into a text object, each distinct line of a document
    encoded once: ``textOut`` maps every line to the font's subsets character by character
    and measures it again (two thirds of a long listing's drawing), though a listing repeats
    most of its lines and each line is placed by its own origin anyway.

    The encoding (the subsets and their codes) belongs to the PDF document, so the cache
    lives on the canvas; the font is switched whenever a line's subset differs from the
    current one, exactly as ``textOut`` does.
    """

    def __init__(self, canvas, text) -> None:
        self.canvas = canvas
        self.text = text
        self.font = getFont(text._fontname)
        self.switch = f"{fp_str(text._fontsize)} Tf {fp_str(text._leading)} TL"
        self.encoded: dict[str, list[tuple[int, str]]] = canvas.__dict__.setdefault(
            "_chengnuo_encoded_lines", {}
        )

    @staticmethod
    def serves(font_name: str) -> bool:
        """Whether the font is an embedded TrueType subset font, the case written here."""
        font = getFont(font_name)
        return bool(getattr(font, "_dynamicFont", False)) and not getattr(font, "shapable", False)

    def __call__(self, line: str) -> None:
        pieces = self.encoded.get(line)
        if pieces is None:
            doc, escape_pdf = self.canvas._doc, self.canvas._escape
            pieces = self.encoded[line] = [
                (subset, f"({escape_pdf(part)}) Tj")
                for subset, part in self.font.splitString(line, doc)
            ]
        text, code = self.text, self.text._code
        for subset, operator in pieces:
            if subset != text._curSubset:
                name = self.font.getSubsetInternalName(subset, self.canvas._doc)
                code.append(f"{name} {self.switch}")
                text._curSubset = subset
            code.append(operator)


class TextTable(Flowable):
    """Rows of plain-text cells in a grid, the first ``header_rows`` repeated on each page;
    ``header_background`` fills the header rows, ``label_background`` the first column."""

    def __init__(
        self,
        rows: list[list[str]],
        col_widths: list[float],
        *,
        font_name: str,
        font_size: float,
        leading: float,
        header_rows: int = 1,
        padding: float = 3.0,
        header_background=None,
        row_headers: bool = False,
        label_background=None,
        _laid_out: list[tuple[list[list[str]], float]] | None = None,
        _height: float | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.col_widths = col_widths
        self.font_name = font_name
        self.font_size = font_size
        self.leading = leading
        self.header_rows = header_rows
        self.padding = padding
        self.header_background = header_background
        self.row_headers = row_headers
        self.label_background = label_background
        self._laid_out = _laid_out
        self._height = _height

    def _layout(self) -> list[tuple[list[list[str]], float]]:
        """Each row's cells as lines, and the row's height (computed once)."""
        if self._laid_out is None:
            widths = char_widths(self.font_name, self.font_size)
            laid_out = []
            for row in self.rows:
                cells = [
                    wrap_text(text, column - 2 * self.padding, widths)
                    for text, column in zip(row, self.col_widths, strict=True)
                ]
                lines = max((len(cell) for cell in cells), default=1)
                laid_out.append((cells, lines * self.leading + 2 * self.padding))
            self._laid_out = laid_out
        return self._laid_out

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self.col_widths)
        if self._height is None:
            self._height = sum(height for _cells, height in self._layout())
        self.height = self._height
        return self.width, self.height

    def _part(self, start: int, stop: int, *, height: float) -> TextTable:
        """The header rows and rows ``start``..``stop``, ``height`` high (known by the split:
        the remainder's rows are not summed again on every page, which made a 100-page
        listing's layout quadratic)."""
        laid_out = self._layout()
        header = self.header_rows
        return TextTable(
            self.rows[:header] + self.rows[start:stop],
            self.col_widths,
            font_name=self.font_name,
            font_size=self.font_size,
            leading=self.leading,
            header_rows=header,
            padding=self.padding,
            header_background=self.header_background,
            row_headers=self.row_headers,
            label_background=self.label_background,
            _laid_out=laid_out[:header] + laid_out[start:stop],
            _height=height,
        )

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split between rows: as many as fit here (after the header), the rest after it."""
        laid_out = self._layout()
        header = sum(height for _cells, height in laid_out[: self.header_rows])
        used = header
        fits = self.header_rows
        for _cells, height in laid_out[self.header_rows :]:
            if used + height > available_height:
                break
            used += height
            fits += 1
        if fits == self.header_rows or fits == len(laid_out):
            return []  # not even one row here (the frame moves on), or no split needed
        self.wrap(available_width, available_height)
        return [
            self._part(self.header_rows, fits, height=used),
            self._part(fits, len(laid_out), height=self.height - used + header),
        ]

    def draw(self) -> None:
        canvas = self.canv
        laid_out = self._layout()
        total = sum(height for _cells, height in laid_out)
        canvas.saveState()
        role_begin(canvas, "Table")
        if self.label_background is not None and self.col_widths:
            artifact_begin(canvas)
            canvas.setFillColor(self.label_background)
            canvas.rect(0, 0, self.col_widths[0], total, stroke=0, fill=1)
            artifact_end(canvas)
        if self.header_background is not None and self.header_rows:
            header = sum(height for _cells, height in laid_out[: self.header_rows])
            artifact_begin(canvas)
            canvas.setFillColor(self.header_background)
            canvas.rect(0, total - header, self.width, header, stroke=0, fill=1)
            artifact_end(canvas)
        canvas.setFillColor(colors.black)
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.5)
        self._draw_rows(laid_out, total)
        artifact_begin(canvas)
        self._draw_grid(laid_out, total)
        artifact_end(canvas)
        role_end(canvas)
        canvas.restoreState()

    def _draw_rows(self, laid_out: list[tuple[list[list[str]], float]], total: float) -> None:
        """Draw every cell's lines in one text object, each row and cell marked inside it: a
        cell with text is marked content of its own (its ``TD`` or ``TH`` holds it, no
        paragraph inside), an empty cell is an empty cell element.

        The first baseline sits one font size below the cell's top padding, as reportlab's
        paragraphs place it."""
        canvas = self.canv
        text = canvas.beginText()
        text.setFont(self.font_name, self.font_size, self.leading)
        code = text._code
        padding, leading, font_size = self.padding, self.leading, self.font_size
        starts = list(itertools.accumulate(self.col_widths[:-1], initial=0.0))
        # with the line writer on a bottom-up canvas (reportlab's default), each column's
        # origin is formatted once and written as ``setTextOrigin`` writes it
        fast = _LineWriter.serves(self.font_name) and bool(canvas.bottomup)
        write = _LineWriter(canvas, text) if fast else text.textOut
        origins = [fp_str(x + padding) for x in starts]
        # the marks are lines of their own in the content (the text object joins its code
        # with spaces)
        row_begin, mark_end = "\n/TR BMC\n", "\nEMC\n"
        marks = {
            flags: "\n"
            + cell_mark(is_column_header=flags[0], is_row_header=flags[1], is_content=flags[2])
            + "\n"
            for flags in itertools.product((False, True), repeat=3)
        }
        y = total
        for row, (cells, height) in enumerate(laid_out):
            code.append(row_begin)
            is_column_header = row < self.header_rows
            for column, lines in enumerate(cells):
                is_content = any(lines)
                code.append(marks[is_column_header, self.row_headers and column == 0, is_content])
                baseline = y - padding - font_size
                for line in lines if is_content else ():
                    if line:
                        if fast:
                            code.append(f"1 0 0 1 {origins[column]} {fp_str(baseline)} Tm")
                        else:
                            text.setTextOrigin(starts[column] + padding, baseline)
                        write(line)
                    baseline -= leading
                code.append(mark_end)
            code.append(mark_end)
            y -= height
        canvas.drawText(text)

    def _draw_grid(self, laid_out: list[tuple[list[list[str]], float]], total: float) -> None:
        """Draw the rules: every row's top, the bottom, every column's sides."""
        path = self.canv.beginPath()
        y = total
        for _cells, height in laid_out:
            path.moveTo(0, y)
            path.lineTo(self.width, y)
            y -= height
        path.moveTo(0, 0)
        path.lineTo(self.width, 0)
        x = 0.0
        for column in [0.0, *self.col_widths]:
            x += column
            path.moveTo(x, 0)
            path.lineTo(x, total)
        self.canv.drawPath(path, stroke=1, fill=0)
