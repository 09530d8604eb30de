"""The city's time and money as people read them: China Standard Time and ``¥80,000.00``.

One place for the formats that pages (through the ``city`` template filters) and rendered
PDFs share. The city keeps one clock, UTC+8 without daylight saving; a moment is shown in it
whatever the server's or the request's time zone. APIs keep ISO 8601 with an offset.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

CITY_TIME = timezone(timedelta(hours=8), "CST")
CENTS = Decimal("0.01")


def city_now(now: datetime) -> datetime:
    """Return an aware moment as the city's wall clock (UTC+8)."""
    if now.tzinfo is None:
        raise ValueError("A naive datetime has no place in the city's clock.")
    return now.astimezone(CITY_TIME)


def city_date(moment: datetime) -> date:
    """Return the city's calendar date at an aware moment (23:30 UTC is the next day)."""
    return city_now(moment).date()


def city_time_text(moment: datetime | None, *, seconds: bool = False) -> str:
    """Return ``2026-12-05 09:30`` (China Standard Time) for an aware moment, "" for None."""
    if moment is None:
        return ""
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return city_now(moment).strftime(pattern)


def money_text(amount: Decimal | int | float | str | None) -> str:
    """Return ``¥80,000.00``: yuan sign, thousands separators, two decimals ("" for None)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(CENTS, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
