"""The commitment domain: who commits (subjects), who verifies (departments and their
regulators), what is committed to (versioned templates) and the commitments themselves.

Lifecycle state lives in protected FSM fields and changes only through the transition
methods in these modules, called from ``services``; every change is kept by django-simple-history.
"""

from .base import DeadlineUnit, StateModel, VerificationMethod
from .calendar import WorkingDayOverride
from .commitments import Commitment, Obligation, Verification
from .evidence import VerificationDetail, VerificationEvidence
from .organisation import (
    Competence,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    RoutingRule,
)
from .performance import (
    BreachSeverity,
    DeadlineExtension,
    PerformanceEvidence,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from .registry import RegistryEvent, SigningRequest
from .subjects import Subject, SubjectRepresentative
from .templates import CommitmentTemplate, ObligationRule

__all__ = [
    "DeadlineUnit",
    "VerificationMethod",
    "StateModel",
    "Region",
    "Department",
    "Matter",
    "Competence",
    "RegulatorMembership",
    "Subject",
    "SubjectRepresentative",
    "CommitmentTemplate",
    "ObligationRule",
    "Commitment",
    "Obligation",
    "Verification",
    "WorkingDayOverride",
    "BreachSeverity",
    "WarningPolicy",
    "WarningStep",
    "WarningSchedule",
    "DeadlineExtension",
    "PerformanceReport",
    "PerformanceEvidence",
    "RoutingRule",
    "VerificationDetail",
    "VerificationEvidence",
    "RegistryEvent",
    "SigningRequest",
]
