from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # The commitment's timeline and next step say what a rectification order did.
        from commitments.lifecycle import selectors
        from workflows.verification.selectors.rectification import (
            rectification_home_notices,
            rectification_next_step,
            rectification_timeline,
        )

        if rectification_timeline not in selectors.TIMELINE_SOURCES:
            selectors.TIMELINE_SOURCES.append(rectification_timeline)
            selectors.NEXT_STEP_SOURCES.append(rectification_next_step)
            selectors.HOME_SOURCES.append(rectification_home_notices)
