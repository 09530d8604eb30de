"""``{% stacked_table %}`` labels each body cell with its column's header (a phone stacks it)."""

from __future__ import annotations

from django.template import Context, Template


def _render(table: str, **context) -> str:
    return Template(
        "{% load stacked_table %}{% stacked_table %}" + table + "{% endstacked_table %}"
    ).render(Context(context))


def test_each_body_cell_is_labelled_by_its_columns_header():
    html = _render(
        "<table class='responsive'><thead><tr><th>Department</th><th colspan='2'>Ages</th>"
        "<th><a href='?sort=-due'>Due &amp; late ↑</a></th><th></th></tr></thead>"
        "<tbody>{% for n in rows %}<tr><td>{{ n }}</td><td>1</td><td class='x'>2</td>"
        "<td>3</td><td><button>Go</button></td></tr>{% endfor %}</tbody></table>",
        rows=["sz-amr"],
    )

    assert (
        '<tr><td data-label="Department">sz-amr</td><td data-label="Ages">1</td>'
        '<td data-label="Ages" class=\'x\'>2</td><td data-label="Due &amp; late">3</td>'
        "<td><button>Go</button></td></tr>"
    ) in html
    assert "<th>Department</th>" in html  # the header row is left as it was


def test_a_row_spanning_every_column_and_a_given_label_are_left_alone():
    html = _render(
        "<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody>"
        "<tr><td colspan='2' class='empty'>None.</td></tr>"
        "<tr><th scope='row'>x</th><td data-label='Own'>y</td></tr></tbody></table>"
    )

    assert "<td colspan='2' class='empty'>None.</td>" in html
    assert "<th scope='row'>x</th><td data-label='Own'>y</td>" in html


def test_a_header_is_escaped_once_in_its_label():
    html = _render(
        "<table><thead><tr><th>{{ name }}</th></tr></thead>"
        "<tbody><tr><td>1</td></tr></tbody></table>",
        name='"Quoted" <b>',
    )

    assert '<td data-label="&quot;Quoted&quot; &lt;b&gt;">1</td>' in html
