"""Every factory, and every trait, makes a row its model accepts (``full_clean``)."""

from __future__ import annotations

import factory as factory_boy
import pytest
from django.apps import apps

import tests.factories
from tests.factories import (
    ApprovalConsequenceFactory,
    AssociationMembershipFactory,
    AssociationOfficerFactory,
    BulkIssueFactory,
    BulkIssueRowFactory,
    CalendarYearFactory,
    ChangeSubscriptionFactory,
    CommitmentKindFactory,
    CreditReportFactory,
    ExemptionRuleFactory,
    MemberReminderFactory,
    ObligationRuleFactory,
    OpenDataEventFactory,
    PartitionEventFactory,
    RectificationEvidenceFactory,
    RectificationFactory,
    RegistryEventFactory,
    RepairNoticeFactory,
    RepairProofFactory,
    RepresentativeFactory,
    RetentionPeriodFactory,
    RoutingRuleFactory,
    SealedRepairNoticeFactory,
    SigningRequestFactory,
    VerificationDetailFactory,
    VerificationEvidenceFactory,
    VerificationExemptionFactory,
    WorkingDayOverrideFactory,
)


@pytest.mark.parametrize(
    ("factory", "traits"),
    [
        (RepresentativeFactory, {}),
        (RoutingRuleFactory, {}),
        (RoutingRuleFactory, {"on_field": True}),
        (WorkingDayOverrideFactory, {}),
        (CalendarYearFactory, {}),
        (ObligationRuleFactory, {}),
        (VerificationDetailFactory, {}),
        (VerificationEvidenceFactory, {}),
        (OpenDataEventFactory, {}),
        (RegistryEventFactory, {}),
        (SigningRequestFactory, {}),
        (SigningRequestFactory, {"failed": True}),
        (RepairProofFactory, {}),
        (ApprovalConsequenceFactory, {}),
        (AssociationMembershipFactory, {}),
        (AssociationOfficerFactory, {}),
        (BulkIssueFactory, {}),
        (BulkIssueRowFactory, {}),
        (ChangeSubscriptionFactory, {}),
        (CommitmentKindFactory, {}),
        (CreditReportFactory, {}),
        (SealedRepairNoticeFactory, {}),
        (MemberReminderFactory, {}),
        (RectificationEvidenceFactory, {}),
        (RectificationFactory, {}),
        (RepairNoticeFactory, {}),
        (ExemptionRuleFactory, {}),
        (VerificationExemptionFactory, {}),
        (RetentionPeriodFactory, {}),
        (PartitionEventFactory, {}),
    ],
    ids=lambda value: getattr(value, "__name__", None) or ",".join(value) or "plain",
)
def test_the_factory_makes_a_valid_row(db, factory, traits):
    row = factory(**traits)

    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


# Rows that exist only beside a viewflow task row, made by the flows themselves: the queue
# index and the task audit. Tests make them by running the flow.
MADE_BY_THE_FLOWS = {"workflows.VerificationTaskIndex", "workflows.TaskAuditEntry"}


def test_every_domain_model_has_a_factory():
    covered = {
        value._meta.model
        for value in vars(tests.factories).values()
        if isinstance(value, type)
        and issubclass(value, factory_boy.django.DjangoModelFactory)
        and value._meta.model is not None
    }
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in {"directory", "credit", "commitments", "workflows"}
        and not model._meta.proxy
        and not model.__name__.startswith("Historical")
        and model not in covered
        and model._meta.label not in MADE_BY_THE_FLOWS
    ]
    assert missing == []
