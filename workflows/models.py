"""Process models of the flows: proxies of viewflow's Process, linked from the domain side."""

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class VerificationProcess(Process):
    """The inform-and-commit verification of one commitment (``Commitment.process``)."""

    class Meta:
        proxy = True
        verbose_name = _("verification process")
        verbose_name_plural = _("verification processes")
