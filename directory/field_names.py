"""Field names in the reader's language where a model does not name a field itself.

Django names a field without ``verbose_name`` after its attribute ("created by",
"department"): a plain English string that the admin's column headers, forms and filters
then show on Chinese pages. Rather than spell ``verbose_name=_(...)`` on every such field of
every app (and a migration for each), the derived name goes through gettext at start-up, with
its entry in the catalogue (ADR 0034). Only the runtime name changes: migrations read
``_verbose_name``, which stays unset, so no migration follows. simple-history names its
models "historical <name>" in English at import; those names are rebuilt the same way.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from modeltranslation.utils import build_localized_verbose_name

# The project's own apps; third-party models (viewflow's, axes') are translated by their own
# catalogues, but their fields seen through our proxy models are ours to name.
OWN_APPS = ("directory", "access", "commitments", "workflows", "credit", "signing", "notifications")


def derived_field_names_translate() -> None:
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
