"""The back office's building blocks, shared by every app's admin: catalogues edited in both
languages side by side (each column saying its language), fields shown otherwise than stored
(JSON as labelled values, codes as codes), objects named in the reader's language, and records
shown read-only."""

from __future__ import annotations

from functools import cache

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline


class LanguageOfPartsMixin:
    """Each language's column of a translated field says its language (``lang="en"``): a
    screen reader reads the English column in English on a Chinese page (WCAG 3.1.2), and the
    page's own text stays in one language. A column shown read-only (a used template's
    wording) says it too (``language_part``)."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *self.language_parts(readonly)]

    def language_parts(self, names) -> list:
        """The displays of the language columns among ``names`` (``language_part``)."""
        parts = [language_part(self.model, name) for name in names]
        return [part for part in parts if part is not None]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        readonly = set(self.get_readonly_fields(request, obj))
        shown = [
            (language_part(self.model, name) or name) if name in readonly else name
            for name in fields
        ]
        return list(dict.fromkeys(shown))

    def get_fieldsets(self, request, obj=None):
        """The fieldsets with each read-only language column in its display's place:
        modeltranslation makes them from the form and the read-only names, not from
        ``get_fields``, so a used template's columns came out without their language."""
        readonly = set(self.get_readonly_fields(request, obj))

        def place(name):
            if isinstance(name, list | tuple):
                return type(name)(place(inner) for inner in name)
            part = language_part(self.model, name) if name in readonly else None
            return part if part in readonly else name

        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = list(dict.fromkeys(place(name) for name in options.get("fields", ())))
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, **self._form_fields(request, obj, kwargs))

    def get_formset(self, request, obj=None, **kwargs):  # an inline's
        return super().get_formset(request, obj, **self._form_fields(request, obj, kwargs))

    def _form_fields(self, request, obj, kwargs) -> dict:
        """The form's fields: the names among the fieldsets' entries (a column's display,
        a function, is shown beside the form, not in it)."""
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if isinstance(name, str)]
        return kwargs

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)  # only modeltranslation's columns
        if field is not None and language:
            widget = field.widget
            while hasattr(widget, "widget"):  # the clearable and related-object wrappers
                widget = widget.widget
            widget.attrs["lang"] = language
        return field


class ShownFieldsMixin:
    """Fields shown otherwise than stored, on read-only pages and history versions.

    ``shown_fields`` maps a field's name to the display method that stands in its place (a
    JSON field as a table of labelled values, a text as the reader reads it). The stored
    field stays read-only (out of the form); only its place on the page changes.
    """

    shown_fields: dict[str, str] = {}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [
            *readonly,
            *(self.shown_fields[name] for name in readonly if name in self.shown_fields),
        ]

    def get_fields(self, request, obj=None):
        """Each stored field in place of its display where it is read-only (an editable one
        stays a form field)."""
        return self._shown_in_place(request, obj, super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        """The same in each fieldset (modeltranslation makes them without ``get_fields``)."""
        return [
            (title, {**options, "fields": self._shown_in_place(request, obj, options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def _shown_in_place(self, request, obj, fields) -> list:
        """``fields`` with each stored field read-only here replaced by its display, once, in
        the stored field's place (a display already placed stays where it is)."""
        readonly = set(self.get_readonly_fields(request, obj))
        read_only_page = obj is not None and not self.has_change_permission(request, obj)
        placed = [
            self.shown_fields[name]
            if isinstance(name, str)
            and name in self.shown_fields
            and (name in readonly or read_only_page)
            else name
            for name in fields
        ]
        return list(dict.fromkeys(placed))


class NamedObjectsMixin:
    """Objects named by ``object_text`` (in the reader's language) wherever the admin would
    use ``str()``: a third-party model's ``__str__`` that the project does not change (a
    viewflow task, a django-axes log row) names it in English with its codes.

    The change, history and delete pages take the name (``admin/named/*.html`` and their
    titles), as do the list's checkboxes and the list of what a deletion removes.
    """

    change_form_template = "admin/named/change_form.html"
    object_history_template = "admin/named/object_history.html"
    delete_confirmation_template = "admin/named/delete_confirmation.html"

    def object_text(self, obj) -> str:
        """The object's name in the active language (each admin that uses the mixin says)."""
        raise NotImplementedError(f"{type(self).__name__} names its objects in object_text")

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        attrs = {
            "class": "action-select",
            "aria-label": format_html(
                gettext("Select this object for an action - {}"), self.object_text(obj)
            ),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def named(self, request, object_id) -> dict[str, str]:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:  # Django answers the page itself (not found)
            return {}
        return {"object_text": self.object_text(obj), "subtitle": self.object_text(obj)}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        named = self.named(request, object_id)
        return super().change_view(request, object_id, form_url, {**named, **(extra_context or {})})

    def history_view(self, request, object_id, extra_context=None):
        named = self.named(request, object_id)
        if named:
            named["title"] = gettext("Change history: %s") % named["object_text"]
        return super().history_view(request, object_id, {**named, **(extra_context or {})})

    def delete_view(self, request, object_id, extra_context=None):
        named = self.named(request, object_id)
        return super().delete_view(request, object_id, {**named, **(extra_context or {})})

    def get_deleted_objects(self, objs, request):
        """What a deletion removes, each object by its name (``related_lines`` for the rows
        deleted with it)."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        objects = iter(objs)
        lines: list = []
        obj = None
        for item in deleted:
            if isinstance(item, list):
                lines.append(self.related_lines(obj, item))
                continue
            obj = next(objects)
            lines.append(
                format_html(
                    '{}: <a href="{}">{}</a>',
                    capfirst(self.opts.verbose_name),
                    reverse(admin_urlname(self.opts, "change"), args=[quote(obj.pk)]),
                    self.object_text(obj),
                )
            )
        return lines, model_count, perms_needed, protected

    def related_lines(self, obj, lines: list) -> list:
        """The rows deleted with ``obj``, as Django lists them (an admin may name them)."""
        return lines


def labelled_table(rows) -> str:
    """(label, value) rows as a small table; a mapping as a value is a table of its own."""
    cells = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        (
            (capfirst(label), labelled_table(value.items()) if isinstance(value, dict) else value)
            for label, value in rows
        ),
    )
    return format_html('<table class="labelled-values"><tbody>{}</tbody></table>', cells)


def labelled_values(data: dict, labels: dict, values: dict | None = None) -> list[tuple]:
    """``data``'s keys by their labels (``labels``; an unknown key as stored, a code), and its
    coded values by theirs (``values``: a key's code to its label); a list as its items."""
    values = values or {}
    rows = []
    for key, value in (data or {}).items():
        shown = values.get(key, {}).get(value, value) if isinstance(value, str) else value
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, list):
            shown = ", ".join(str(item) for item in value)
        rows.append((labels.get(key, key), shown))
    return rows


@cache
def language_part(model, name):
    """A read-only display of one language's column of a translated field, in an element that
    says its language; None for any other field."""
    if not isinstance(name, str) or not is_language_column(model, name):
        return None
    field = model._meta.get_field(name)

    def shown(obj) -> str:
        value = getattr(obj, field.attname)
        return format_html('<div lang="{}">{}</div>', field.language, linebreaksbr(value or ""))

    shown.__name__ = name
    shown.short_description = field.verbose_name
    return shown


@admin.display(description=_("code"), ordering="code")
def code_column(obj) -> str:
    """A catalogue row's code in a list, marked as having no language (``lang="zxx"``): a
    code other systems receive ("trustworthy") is an identifier, not a word of the page's
    language, and a screen reader should not read it as one."""
    return format_html('<span lang="zxx" translate="no">{}</span>', obj.code)


class CatalogueAdmin(LanguageOfPartsMixin, TranslationAdmin):
    """A catalogue edited in both languages side by side (ADR 0015)."""


class CatalogueTabularInline(LanguageOfPartsMixin, TranslationTabularInline):
    """Rows of a catalogue edited in both languages inside their parent's page."""


def is_language_column(model, name) -> bool:
    """Whether ``name`` is one language's column of a translated field (``title_en``)."""
    try:
        field = model._meta.get_field(name)
    except (FieldDoesNotExist, TypeError):  # a method or a callable shown as a field
        return False
    return getattr(field, "translated_field", None) is not None


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that changes only through its services (or never): shown, never edited here.

    A translated field is shown once, in the reader's language (with the catalogue's fallback),
    not as one column per language: nothing is typed here, and the page speaks one language."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [name for name in fields if not is_language_column(self.model, name)]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The same, for rows shown inside their parent's page."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
