"""``{% load reasons %}``: a history row as the reader reads it.

``{{ record.history_change_reason|reason_text }}`` shows a stored reason in the reader's
language (``directory.reasons``); ``{% history_change record change as shown %}`` names a
changed field by its verbose name and shows its values by their choices' labels, an empty
value as nothing rather than "None".
"""

from __future__ import annotations

from collections.abc import Mapping

from django import template
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from directory.reasons import reason_text as translated_reason

register = template.Library()


@register.filter
def reason_text(stored: str | None) -> str:
    return translated_reason(stored)


def _field(record, name):
    """The record's field called ``name``, or whose capitalised verbose name is ``name`` (the
    admin's history helper hands the change over with the field already named)."""
    try:
        return record._meta.get_field(name)
    except FieldDoesNotExist:
        for field in record._meta.fields:
            if str(capfirst(field.verbose_name)) == str(name):
                return field
    return None


def _shown_by(record, field):
    """The admin's display method that shows ``field`` of ``record``'s model, if any
    (``directory.admin.parts.ShownFieldsMixin``)."""
    try:
        model_admin = admin.site.get_model_admin(record.instance_type)
    except (admin.sites.NotRegistered, AttributeError):
        return None
    method = getattr(model_admin, "shown_fields", {}).get(field.name)
    return getattr(model_admin, method) if method else None


@register.simple_tag
def history_change(record, change) -> dict[str, object]:
    """``change`` of ``record`` with the field's name and its old and new values as the admin
    shows them: simple-history's ``ModelChange``, or the mapping its admin helper makes of one
    (field by verbose name, values as text)."""
    if isinstance(change, Mapping):
        name, old, new = change["field"], change["old"], change["new"]
    else:
        name, old, new = change.field, change.old, change.new
    field = _field(record, name)
    if field is None:
        return {"field": name, "old": old, "new": new}
    if field.many_to_one or field.one_to_one:  # an empty link, not a "deleted" object
        older = record.prev_record
        old = "" if older is not None and getattr(older, field.attname) is None else old
        new = "" if getattr(record, field.attname) is None else new
    shown_by = _shown_by(record, field)
    if shown_by is not None:  # a JSON field shown as the admin's change page shows it
        older = record.prev_record
        old = shown_by(older.instance) if older is not None else ""
        new = shown_by(record.instance)
    labels = {str(value): label for value, label in field.flatchoices} if field.choices else {}

    def shown(value: object) -> object:
        if value is None or value == "None":
            return ""
        return labels.get(str(value), value)

    return {"field": field.verbose_name, "old": shown(old), "new": shown(new)}
