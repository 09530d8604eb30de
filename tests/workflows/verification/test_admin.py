"""The back office: absences and draws are read-only, spot-check ratios are data an
administrator edits, with who changed them and why kept in their history."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from tests.factories import DelegationFactory, SamplingDrawFactory, SamplingPolicyFactory
from workflows.verification.models import Delegation, SamplingDraw, SamplingPolicy


def test_delegations_are_listed_but_never_written_in_the_admin(world, admin_client):
    delegation = DelegationFactory(
        department=world.department, delegator=world.regulator, delegate=world.other_regulator
    )
    change_url = reverse("admin:workflows_delegation_change", args=[delegation.pk])

    listed = admin_client.get(reverse("admin:workflows_delegation_changelist"))
    added = admin_client.post(reverse("admin:workflows_delegation_add"), {"reason": "x"})
    changed = admin_client.post(change_url, {"reason": "changed"})

    assert listed.status_code == 200
    assert world.regulator.username in listed.content.decode()
    assert (added.status_code, changed.status_code) == (403, 403)
    assert Delegation.objects.get().reason == "annual leave"


def test_a_sampling_policy_changed_in_the_admin_keeps_who_and_why(admin_client):
    policy = SamplingPolicyFactory()

    response = admin_client.post(
        reverse("admin:workflows_samplingpolicy_change", args=[policy.pk]),
        {
            "grade": "B",
            "ratio_min": "0.10",
            "ratio_max": "0.25",
            "effective_from": "2027-01-01",
            "note": "revised",
        },
    )

    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.ratio_min, policy.ratio_max) == (Decimal("0.1000"), Decimal("0.2500"))
    latest = policy.history.latest("history_id")
    assert latest.history_user.is_superuser
    assert latest.history_change_reason == "changed in the admin"


def test_sampling_draws_are_read_only_in_the_admin(admin_client):
    draw = SamplingDrawFactory()
    change_url = reverse("admin:workflows_samplingdraw_change", args=[draw.pk])

    shown = admin_client.get(change_url)
    changed = admin_client.post(change_url, {"seed": "other"})
    added = admin_client.get(reverse("admin:workflows_samplingdraw_add"))

    assert shown.status_code == 200 and draw.seed in shown.content.decode()
    assert (changed.status_code, added.status_code) == (403, 403)
    assert SamplingDraw.objects.get().seed == draw.seed


def test_the_seeded_sampling_policies_note_reads_in_the_readers_language(admin_pages):
    english, chinese = admin_pages(reverse("admin:workflows_samplingpolicy_changelist"))

    assert "差异化监管：按风险等级确定抽查比例" in chinese
    assert "differential supervision" not in chinese
    assert "differential supervision: spot-check ratio by risk grade" in english
    policy = SamplingPolicy.objects.filter(grade="A").earliest("effective_from")
    assert (policy.note_zh_hans, policy.note_en) == (
        "差异化监管：按风险等级确定抽查比例",
        "differential supervision: spot-check ratio by risk grade",
    )
