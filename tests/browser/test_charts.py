"""The supervisors' charts in Chromium: ECharts from this site draws them at phone and desktop
width without any Content-Security-Policy report, and a bar opens the tasks behind it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.threads import in_a_thread
from tests.workflows.conftest import submit_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_dashboard_charts_render_and_a_bar_opens_its_tasks(world, new_page, width):
    # Given two open verifications in the supervisor's department
    in_a_thread(lambda: [submit_commitment(world) for _ in range(2)])

    # When the supervisor opens the service levels
    page = new_page("supervisor")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/regulator/dashboard/")

    # Then the backlog chart is drawn on a canvas that fits the screen, no wider than the page
    chart = page.get_by_test_id("chart-backlog").get_by_test_id("echart")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None and box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # and its numbers are there as a table too
    table = page.get_by_test_id("chart-backlog").get_by_test_id("chart-table")
    table.locator("summary").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody td").first).to_have_text("2")

    # When they click the bar, the team list opens filtered to the tasks behind it. The point is
    # read from the chart as drawn now (its canvas box and the bar's pixel in one step), in the
    # middle of the bar: value 1 of 2 on the first category. The hover before the click shows
    # the tooltip on the canvas, sometimes between press and release; the click still counts.
    chart.locator("canvas").scroll_into_view_if_needed()  # the mouse clicks inside the viewport
    point = page.evaluate(
        """() => {
            const element = document.querySelector('[data-chart="chart-data-backlog"]');
            const box = element.querySelector('canvas').getBoundingClientRect();
            const chart = echarts.getInstanceByDom(element);
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, [1, 0]);
            return [box.left + x, box.top + y];
        }"""
    )
    page.mouse.click(point[0], point[1])
    page.wait_for_url("**/regulator/team/?department=*")
    assert f"department={world.department.pk}" in page.url
    expect(page.get_by_test_id("task-row")).to_have_count(2)


def test_the_city_statistics_draw_six_monthly_charts_on_a_phone(world, new_page):
    page = new_page("supervisor")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("repair_office:statistics"))

    charts = page.locator('[data-testid="echart"][data-drawn="true"]')
    expect(charts).to_have_count(6)
    expect(charts.locator("canvas")).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
