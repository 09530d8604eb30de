from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        """Connect the memos' receivers: a calendar row or a seat written in this process is
        seen by the rest of its transaction or operation (ADR 0036)."""
        import_module("directory.calendar")
        import_module("directory.selectors")
