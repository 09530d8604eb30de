from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Credit records")

    def ready(self) -> None:
        """Connect the outbox's "sent" signal: a delivered webhook marks its change notice."""
        import_module("credit.changes.services")
