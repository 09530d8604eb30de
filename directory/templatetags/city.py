"""``{% load city %}``: ``{{ amount|money }}`` and ``{{ moment|city_time }}`` for every page."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.translation import gettext as _

from directory.city import city_time_text, money_text

register = template.Library()


@register.filter
def money(amount) -> str:  # type: ignore[no-untyped-def]
    """``80000`` → ``¥80,000.00``."""
    try:
        return money_text(amount)
    except (ArithmeticError, ValueError, TypeError):
        return str(amount)


@register.filter
def city_time(moment, zone_label: bool = True) -> str:  # type: ignore[no-untyped-def]
    """An aware moment as ``2026-12-05 09:30 北京时间`` (Beijing time); dates pass through."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):
        return moment.isoformat() if isinstance(moment, date) else str(moment)
    text = city_time_text(moment)
    return f"{text} {_('Beijing time')}" if zone_label else text
