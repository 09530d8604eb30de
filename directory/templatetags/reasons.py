"""``{% load reasons %}``: a history row as the reader reads it.

``{{ record.history_change_reason|reason_text }}`` shows a stored reason in the reader's
language (``directory.reasons``); ``{% history_change record change as shown %}`` names a
changed field by its verbose name and shows its values by their choices' labels, an empty
value as nothing rather than "None".
"""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist

from directory.reasons import reason_text as translated_reason

register = template.Library()


@register.filter
def reason_text(stored: str | None) -> str:
    return translated_reason(stored)


@register.simple_tag
def history_change(record, change) -> dict[str, object]:
    """``change`` (simple-history's ``ModelChange``) of ``record`` with the field's name and
    its old and new values as the admin shows them."""
    try:
        field = record._meta.get_field(change.field)
    except FieldDoesNotExist:
        return {"field": change.field, "old": change.old, "new": change.new}
    labels = dict(field.flatchoices) if field.choices else {}

    def shown(value: object) -> object:
        if value is None:
            return ""
        return labels.get(value, value)

    return {
        "field": field.verbose_name,
        "old": shown(change.old),
        "new": shown(change.new),
    }
