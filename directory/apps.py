from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from directory.field_names import derived_field_names_translate


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        """Every model is loaded by now: name the fields Django named in English, and connect the
        memos' receivers: a calendar row or a seat written in this process is seen by the rest of
        its transaction or operation (ADR 0036)."""
        derived_field_names_translate()
        import_module("directory.calendar")
        import_module("directory.selectors")
