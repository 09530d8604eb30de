from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        """Connect the receiver that records when a session last proved who its user is."""
        import_module("access.reauth")
        import_module("access.ceremony")
