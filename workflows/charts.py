"""Bar charts of the supervisors' pages as data: ``static/js/charts.js`` draws them with
Apache ECharts (vendored under ``static/vendor/echarts``, see ADR 0018), and the page prints
the same numbers as a table for screen readers and browsers without script.

A chart is plain data (categories, series, one link per category), handed to the page with
``json_script`` so the Content-Security-Policy needs no inline script.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass
class BarChart:
    """One bar chart: horizontal (one bar per category) or by month (vertical bars)."""

    name: str
    title: str
    category_axis: str
    value_axis: str
    categories: list[str]
    series: list[Series]
    horizontal: bool = True
    is_stacked: bool = False
    unit: str = ""
    links: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)

    @property
    def element_id(self) -> str:
        return f"chart-data-{self.name}"

    @property
    def has_data(self) -> bool:
        return any(value for series in self.series for value in series.values)

    @property
    def data(self) -> dict:
        """What the script reads: plain lists, no markup."""
        return {
            "title": self.title,
            "categoryAxis": self.category_axis,
            "valueAxis": self.value_axis,
            "categories": self.categories,
            "series": [{"name": item.name, "values": item.values} for item in self.series],
            "horizontal": self.horizontal,
            "stacked": self.is_stacked,
            "unit": self.unit,
            "links": self.links,
            "colors": self.colors,
        }

    @property
    def rows(self) -> list[dict]:
        """The table fallback: one row per category with each series' value and its link."""
        links = self.links or [""] * len(self.categories)
        return [
            {
                "category": category,
                "values": [f"{item.values[index]:g}{self.unit}" for item in self.series],
                "link": links[index],
            }
            for index, category in enumerate(self.categories)
        ]
