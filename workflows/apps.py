from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        """Cancel a commitment's verification when the applicant withdraws before the
        decision (the withdrawal lives in commitments, which knows no workflow)."""
        from commitments.lifecycle.services.withdrawal import withdrawal_listener_register
        from workflows.verification.services.withdrawal import verification_cancel_on_withdrawal

        withdrawal_listener_register(verification_cancel_on_withdrawal)
