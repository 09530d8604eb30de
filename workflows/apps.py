from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        """Let a rectification order speak in the commitment's timeline, next step and home;
        have the verification cancelled when the applicant withdraws before the decision (the
        withdrawal lives in commitments, which knows no workflow)."""
        import_module("workflows.verification.selectors.rectification")
        import_module("workflows.verification.services.withdrawal")
        import_module("workflows.repair.signals")
        import_module("workflows.lists.pages")  # the store of remembered list filters
