"""Tables that stack on a phone keep their column names: in Chromium at 390 px the header row
of the supervisor's service-level table is hidden and each cell shows its header's text above
its value (``{% stacked_table %}`` writes it, ``td::before`` shows it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import SCREENS
from tests.browser.threads import in_a_thread
from tests.workflows.conftest import submit_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each body cell of a table: its column's header text and what its ::before shows, as laid out.
_CELL_LABELS_JS = """(table) => {
  const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  return [...table.querySelectorAll('tbody tr')].flatMap((row) => [...row.cells].map(
    (cell, index) => {
      const before = getComputedStyle(cell, '::before');
      return {header: headers[index], shown: before.display === 'none' ? null
        : before.content.replace(/^"|"$/g, ''), value: cell.textContent.trim()};
    }));
}"""


def test_the_service_level_table_labels_each_stacked_cell_on_a_phone(world, new_page):
    # Given an open verification in the supervisor's department
    in_a_thread(lambda: submit_commitment(world))

    # When the supervisor opens the service levels on a phone
    page = new_page("supervisor")
    page.set_viewport_size(SCREENS[390])
    page.goto("/regulator/dashboard/")

    # Then the table's header row is hidden and every cell shows its column's name above it
    table = page.get_by_test_id("sla-table")
    expect(table.get_by_test_id("sla-line")).to_have_count(1)
    expect(table.locator("thead")).to_be_hidden()
    cells = table.evaluate(_CELL_LABELS_JS)
    assert [cell["shown"] for cell in cells] == [cell["header"] for cell in cells]
    assert [cell["header"] for cell in cells] == [
        "部门",
        "事项",
        "待办",
        "已逾期",
        "0–5天",
        "6–10天",
        "11–20天",
        "> 20天",
        "已核查",
        "按时率",
    ]
    assert cells[0]["value"] == world.department.name
    assert [cell["value"] for cell in cells[2:4]] == ["1", "0"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
