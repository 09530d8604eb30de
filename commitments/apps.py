from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    def ready(self) -> None:
        """Let the bidding pledge tell lifecycle what its PDF shows (the tender it stands for)."""
        import_module("commitments.pledges.particulars")
