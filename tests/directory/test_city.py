"""The city's time and money as people read them, on pages and in PDFs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from directory.city import city_date, city_time_text, money_text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("80000"), "¥80,000.00"),
        ("80000.00", "¥80,000.00"),
        (1234567.891, "¥1,234,567.89"),
        (Decimal("0.005"), "¥0.01"),
        (Decimal("-50"), "-¥50.00"),
        (None, ""),
    ],
)
def test_money_is_yuan_with_separators_and_two_decimals(amount, text):
    assert money_text(amount) == text


def test_the_money_filter_renders_the_same_on_a_page():
    page = Template("{% load city %}{{ amount|money }}").render(Context({"amount": Decimal(80000)}))
    assert page == "¥80,000.00"


def test_23_30_utc_is_the_next_day_in_beijing():
    moment = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert city_date(moment) == date(2026, 12, 5)
    assert city_time_text(moment) == "2026-12-05 07:30"


@pytest.mark.parametrize(("language", "zone"), [("zh-hans", "北京时间"), ("en", "Beijing time")])
def test_the_city_time_filter_says_beijing_time_in_each_language(language, zone):
    template = Template("{% load city %}{{ moment|city_time }}|{{ iso|city_time }}")
    with translation.override(language):
        page = template.render(
            Context(
                {
                    "moment": datetime(2026, 12, 5, 1, 30, tzinfo=UTC),
                    "iso": "2026-12-05T01:30:00+00:00",
                }
            )
        )
    assert page == f"2026-12-05 09:30 {zone}|2026-12-05 09:30 {zone}"
