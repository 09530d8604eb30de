"""The repair and objection cases: valid as the factories build them, in every state."""

from __future__ import annotations

import pytest

from tests.factories import ObjectionFactory, RepairApplicationFactory


@pytest.mark.parametrize("traits", [{}, {"granted": True}, {"refused": True}])
def test_a_repair_application_in_each_state_is_valid(db, traits):
    application = RepairApplicationFactory(**traits)

    application.full_clean()
    assert (application.subject, application.commitment.template.kind) == (
        application.breach.subject,
        "credit_repair",
    )
    assert application.process is None  # linked by its flow when filed through the service


@pytest.mark.parametrize("traits", [{}, {"forwarded": True}, {"rejected": True}])
def test_an_objection_in_each_state_is_valid(db, traits):
    objection = ObjectionFactory(**traits)

    objection.full_clean()
    assert objection.is_open is (objection.status in ("open", "forwarded"))
    assert objection.breach.status == "under_objection"
