"""Tagged PDF from reportlab's output, the drawing half: content marked by its role as it is
drawn, so ``signing.render.structure`` can build the structure tree from the marks.

reportlab's open-source edition writes no structure tree. The renderers therefore mark their
content as they draw (``TaggedParagraph`` wraps each paragraph in ``/H1 BMC … EMC``, ``/P BMC
… EMC``; footers, watermarks, rules and backgrounds are ``/Artifact BMC … EMC``;
``TaggedTable`` wraps the table, each row and each cell in ``/Table``, ``/TR``, ``/TH`` or
``/TD`` marks, and ``signing.render.table.TextTable`` does the same with ``table_begin``,
``row_begin`` and ``cell_begin``), and ``signing.render.structure.tag_pdf`` turns those
marks into a real structure with pikepdf (qpdf) before anything is signed.

Every mark is a literal line of its own (reportlab writes each literal on its own line);
``signing.render.structure`` finds them by that shape, so nothing else may write one.
"""

from __future__ import annotations

from reportlab.platypus import Paragraph, Table

# Paragraph style name → structure role.
ROLES = {"title": "H1", "heading": "H2", "subheading": "H3"}
ARTIFACT = "/Artifact"


class TaggedParagraph(Paragraph):
    """A paragraph drawn inside a marked-content sequence named by its role (from its style:
    ``title`` H1, ``heading`` H2, ``subheading`` H3, anything else P). Split paragraphs keep
    the class, so each part is marked on its page."""

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - reportlab's name
        role_begin(canvas, ROLES.get(self.style.name, "P"))
        super().drawOn(canvas, x, y, _sW)
        role_end(canvas)


class TaggedTable(Table):
    """A table drawn inside ``/Table`` marks, each row in ``/TR`` and each cell in ``/TH`` (the
    repeated header rows, scope Column; the first column, the labels, scope Row) or ``/TD``;
    its backgrounds and rules are artifacts. A split table's parts keep the marks (reportlab
    hands the render callback on), so each part is a table on its page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("renderCB", _mark_table)  # a split part is handed its parent's
        super().__init__(*args, **kwargs)


def _mark_table(table: Table, event: str, *args) -> None:
    canvas = table.canv
    if event == "startTable":
        role_begin(canvas, "Table")
    elif event in ("startBG", "startLines"):
        artifact_begin(canvas)
    elif event == "startRow":
        role_begin(canvas, "TR")
    elif event == "startCell":
        row, column = args[0], args[1]
        cell_begin(canvas, is_column_header=row < table.repeatRows, is_row_header=column == 0)
    elif event in ("endBG", "endLines", "endRow", "endCell", "endTable"):
        canvas.addLiteral("EMC")


def role_begin(canvas, role: str) -> None:
    """Start content of ``role`` (``H1``, ``H2``, ``H3``, ``P``), or a table (``Table``) or
    row (``TR``); ``role_end`` ends it."""
    canvas.addLiteral(f"/{role} BMC")


def role_end(canvas) -> None:
    canvas.addLiteral("EMC")


def cell_begin(canvas, *, is_column_header: bool, is_row_header: bool) -> None:
    """Start a table cell: a header row's cell heads its column, a label heads its row, any
    other cell is data; its content is marked inside (a paragraph); ``role_end`` ends it."""
    canvas.addLiteral(cell_mark(is_column_header=is_column_header, is_row_header=is_row_header))


def cell_mark(*, is_column_header: bool, is_row_header: bool, is_content: bool = False) -> str:
    """The mark that starts a table cell (see ``cell_begin``). ``is_content``: the cell's text
    itself is its marked content (no paragraph inside), as ``TextTable`` draws a cell."""
    content = " /Content true" if is_content else ""
    if is_column_header:
        return f"/TH <</Scope /Column{content}>> BDC"
    if is_row_header:
        return f"/TH <</Scope /Row{content}>> BDC"
    return f"/TD <<{content.strip()}>> BDC" if is_content else "/TD BMC"


def artifact_begin(canvas) -> None:
    """Start page furniture (footer, watermark): not part of the structure."""
    canvas.addLiteral(f"{ARTIFACT} BMC")


def artifact_end(canvas) -> None:
    canvas.addLiteral("EMC")
