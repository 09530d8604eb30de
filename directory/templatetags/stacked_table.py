"""``{% stacked_table %}<table class="responsive">…</table>{% endstacked_table %}``.

On a phone a ``table.responsive`` stacks: its header row is hidden and each cell becomes a
line of its own, labelled by CSS from its ``data-label`` (``td::before``). Without the label a
row is a column of bare values. This tag gives every body cell the text of its column's
header as ``data-label``, so the label is written once, in the header, and cannot be
forgotten or drift from it. Column spans are counted; a cell spanning all of several columns (the
"None." row) gets no label; a cell that already has a ``data-label`` keeps it. Sort arrows
(↑ ↓) in a header are not part of its name.
"""

from __future__ import annotations

import html
import re

from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_HEAD = re.compile(r"<thead\b.*?</thead>", re.S | re.I)
_HEADER = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S | re.I)
_BODY = re.compile(r"<tbody\b.*?</tbody>", re.S | re.I)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_CELL = re.compile(r"<(td|th)\b([^>]*)>", re.I)
_SPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.I)
_ARROWS = re.compile(r"[↑↓]")


def _span(attributes: str) -> int:
    match = _SPAN.search(attributes)
    return max(int(match[1]), 1) if match else 1


def column_labels(table_html: str) -> list[str]:
    """The label of each column: its header's visible text, one entry per spanned column."""
    head = _HEAD.search(table_html)
    labels: list[str] = []
    for attributes, content in _HEADER.findall(head[0] if head else ""):
        text = " ".join(_ARROWS.sub("", html.unescape(strip_tags(content))).split())
        labels += [text] * _span(attributes)
    return labels


def _label_row(row: str, labels: list[str]) -> str:
    column = 0

    def label(match: re.Match) -> str:
        nonlocal column
        tag, attributes = match[1], match[2]
        span = _span(attributes)
        start, column = column, column + span
        if tag.lower() != "td" or "data-label" in attributes or 1 < span >= len(labels):
            return match[0]
        text = labels[start] if start < len(labels) else ""
        return f'<{tag} data-label="{escape(text)}"{attributes}>' if text else match[0]

    return _CELL.sub(label, row)


def label_cells(table_html: str) -> str:
    """``table_html`` with each body cell labelled by its column's header."""
    labels = column_labels(table_html)
    if not labels:
        return table_html
    return _BODY.sub(
        lambda body: _ROW.sub(lambda row: _label_row(row[0], labels), body[0]), table_html
    )


class StackedTableNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        return mark_safe(label_cells(self.nodelist.render(context)))  # noqa: S308 — rendered by the template engine


@register.tag
def stacked_table(parser: template.base.Parser, token: template.base.Token) -> StackedTableNode:
    nodelist = parser.parse(("endstacked_table",))
    parser.delete_first_token()
    return StackedTableNode(nodelist)
