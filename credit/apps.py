from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Credit records")

    def ready(self) -> None:
        """Connect the outbox's "sent" signal (a delivered webhook marks its change notice) and
        the record's "notice issued" signal (the notice's PDF is sealed after the commit)."""
        import_module("credit.changes.services")
        import_module("credit.reports.tasks")
