"""Field names in the reader's language where a model does not name a field itself.

Django names a field without ``verbose_name`` after its attribute ("created by",
"department"): a plain English string that the admin's column headers, forms and filters
then show on Chinese pages. Rather than spell ``verbose_name=_(...)`` on every such field of
every app (and a migration for each), the derived name goes through gettext at start-up, with
its entry in the catalogue (ADR 0034). Only the runtime name changes: migrations read
``_verbose_name``, which stays unset, so no migration follows. simple-history names its
models "historical <name>" in English at import, and Django its many-to-many tables "x-y
relationship" in the language of the import; those names are rebuilt the same way.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from modeltranslation.utils import build_localized_verbose_name

# The project's own apps; third-party models (viewflow's, axes') are translated by their own
# catalogues, but their fields seen through our proxy models are ours to name.
OWN_APPS = ("directory", "access", "commitments", "workflows", "credit", "signing", "notifications")


def derived_field_names_translate() -> None:
    _relationship_names_translate()  # first: their history models are named after them
    translated = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in OWN_APPS:
            continue
        original = getattr(model, "instance_type", None)  # simple_history's "historical x"
        if original is not None:
            model._meta.verbose_name = format_lazy(
                gettext_lazy("historical {}"), original._meta.verbose_name
            )
            model._meta.verbose_name_plural = format_lazy(
                gettext_lazy("historical {}"), original._meta.verbose_name_plural
            )
        for field in model._meta.get_fields(include_hidden=False):
            if not hasattr(field, "verbose_name") or field.auto_created and not field.concrete:
                continue
            if hasattr(field, "translated_field"):  # modeltranslation's "title [en]"
                translated.append(field)
            elif field.verbose_name and not isinstance(field.verbose_name, Promise):
                field.verbose_name = gettext_lazy(field.verbose_name)  # noqa: INT001
    # a language's column is named after its field, now in the reader's language
    for field in translated:
        field.verbose_name = build_localized_verbose_name(
            field.translated_field.verbose_name, field.language
        )


def _relationship_names_translate() -> None:
    """Name each many-to-many field's own table ("user-group relationship") in the reader's
    language. Django builds the name with gettext when the model class is made, so it stays
    in the language active at import (the default, Chinese) and an English page showed
    "user-group关系"."""
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.auto_created:
            continue
        names = {
            "from": model._meta.local_fields[1].related_model._meta.model_name,
            "to": model._meta.local_fields[2].related_model._meta.model_name,
        }
        model._meta.verbose_name = _interpolated("%(from)s-%(to)s relationship", names)
        model._meta.verbose_name_plural = _interpolated("%(from)s-%(to)s relationships", names)


def _text_interpolate(message: str, values: dict) -> str:
    return gettext(message) % values  # noqa: INT001 - Django's own message ids


_interpolated = lazy(_text_interpolate, str)
