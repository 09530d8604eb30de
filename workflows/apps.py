from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        """Have the verification cancelled when the applicant withdraws before the decision
        (the withdrawal lives in commitments, which knows no workflow)."""
        import_module("workflows.verification.services.withdrawal")
