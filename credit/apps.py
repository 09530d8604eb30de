from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Credit records")

    def ready(self) -> None:
        # Connects the outbox's "sent" signal: a delivered webhook marks its change notice.
        from credit.changes import services  # noqa: F401
