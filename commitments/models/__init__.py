"""The commitment domain: what is committed to (versioned templates), the commitments
themselves, their obligations and verification. Who commits and who verifies live in
``directory``.

Lifecycle state lives in protected FSM fields and changes only through the transition
methods in these modules, called from ``services``; every change is kept by django-simple-history.
"""

from commitments.catalogue.models import (
    CommitmentTemplate,
    ObligationRule,
    StateModel,
    VerificationMethod,
)
from commitments.lifecycle.models import (
    Commitment,
    RegistryEvent,
    SigningRequest,
    Verification,
    VerificationDetail,
    VerificationEvidence,
)
from commitments.models.commitments import Obligation
from commitments.models.performance import (
    BreachSeverity,
    DeadlineExtension,
    PerformanceEvidence,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from commitments.pledges import models as pledges_models  # noqa: F401  (registers Tender, BidPledge)

__all__ = [
    "VerificationMethod",
    "StateModel",
    "CommitmentTemplate",
    "ObligationRule",
    "Commitment",
    "Obligation",
    "Verification",
    "BreachSeverity",
    "WarningPolicy",
    "WarningStep",
    "WarningSchedule",
    "DeadlineExtension",
    "PerformanceReport",
    "PerformanceEvidence",
    "VerificationDetail",
    "VerificationEvidence",
    "RegistryEvent",
    "SigningRequest",
]
