"""The date and file inputs of every form, in the page's language whatever the browser's.

A browser draws its own date and file controls in *its* language: an English browser shows
"mm/dd/yyyy" and "Choose Files" on a Chinese page. So the pages use:

- ``DateEntry`` (and templates/includes/date_entry.html): a text box for a day written year
  first (2026-12-06; Django's parsing also takes 2026/12/06 and 2026年12月6日 on Chinese
  pages), the format shown in the page's language, a numeric keyboard on phones. A typed date
  is one the person already knows (a deadline, a span); the GOV.UK Design System advises
  against pickers for those. No ``pattern``: the browser would refuse a date in its own
  language, while the server's message is in the page's.
- ``FileEntry`` (templates/includes/file_entry.html): the browser's own file input, kept for
  keyboards and screen readers (the field's label is its label), with the button and the
  chosen names in the page's language drawn by ``static/js/file-entry.js``. Without the
  script the browser's input shows, so nothing breaks.
- ``MultipleFileField``: several files in one input, cleaned to a list (possibly empty).
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


def date_attrs(attrs: dict | None = None) -> dict:
    """The attributes of a date text box (hand-written ones: templates/includes/date_entry.html)."""
    return {
        "inputmode": "numeric",
        "autocomplete": "off",
        "placeholder": _("YYYY-MM-DD"),
        "class": "date-entry",
        **(attrs or {}),
    }


class DateEntry(forms.DateInput):
    input_type = "text"
    is_date_entry = True  # hand-written filter forms draw it with includes/date_entry.html

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=date_attrs(attrs), format="%Y-%m-%d")


# Year first, whatever the page's language: the hint says 年-月-日 / YYYY-MM-DD, so a day
# written month first (12/06/2026) is refused rather than read the American way.
YEAR_FIRST = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class DayField(forms.DateField):
    """A day typed year first; full-width digits and signs (２０２６－１２－０６) are read too."""

    widget = DateEntry
    input_formats = YEAR_FIRST
    default_error_messages = {
        "invalid": _("Enter the day as year-month-day, for example 2026-12-06."),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


class FileEntry(forms.FileInput):
    def render(self, name, value, attrs=None, renderer=None):
        control = super().render(name, value, attrs, renderer)
        return render_to_string(
            "includes/file_entry.html",
            {"control": control, "multiple": self.allow_multiple_selected},
        )


class MultipleFileEntry(FileEntry):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input: a list of uploads, possibly empty when not required. The
    services check their kinds and sizes."""

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = MultipleFileEntry(attrs=kwargs.pop("attrs", None))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
