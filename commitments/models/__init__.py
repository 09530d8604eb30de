"""The commitment domain: what is committed to (versioned templates), the commitments
themselves, their obligations and verification. Who commits and who verifies live in
``directory``.

Lifecycle state lives in protected FSM fields and changes only through the transition
methods in these modules, called from ``services``; every change is kept by django-simple-history.
"""

from commitments.models.base import StateModel, VerificationMethod
from commitments.models.commitments import Commitment, Verification
from commitments.models.evidence import VerificationDetail, VerificationEvidence
from commitments.models.registry import RegistryEvent, SigningRequest
from commitments.models.templates import CommitmentTemplate, ObligationRule
from commitments.obligations.models import (
    BreachSeverity,
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)

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
