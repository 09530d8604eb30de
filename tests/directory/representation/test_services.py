"""Representation: a typed code is only a claim; proof, review, grants and revocation, each
recorded in history with who and why; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from directory.errors import DirectoryError, DirectoryErrorCode
from directory.models import Subject
from directory.representation.models import Representation
from directory.representation.selectors import (
    representation_draft_check,
    representation_sign_check,
)
from directory.representation.services import (
    agent_grant,
    agent_request,
    agent_request_refuse,
    representation_letter_review,
    representation_letter_submit,
    representation_prove,
    representation_revoke,
    subject_claim,
)
from directory.selectors import subject_list, subject_representative_users
from tests.factories import MatterFactory, RepresentativeFactory, UserFactory

NEW_CODE = "9144030071526726XG"
LETTER = {"sha256": "ab" * 32, "size": 1234, "filename": "letter.pdf"}


@pytest.fixture(autouse=True)
def _english(english):
    """Assert on the English source messages."""


def _officer():
    return UserFactory(username="officer", is_staff=True)


def _status(row: Representation) -> str:
    return Representation.objects.get(pk=row.pk).status


# Claims ---------------------------------------------------------------------------------------


def test_registering_a_new_code_creates_the_subject_and_an_unproven_claim(world):
    user = UserFactory()

    claim = subject_claim(user=user, kind="company", code=NEW_CODE, name="深圳市某科技有限公司")

    assert claim.subject.code == NEW_CODE
    assert (claim.status, claim.method, claim.role) == (
        "claimed",
        "declared",
        "legal_representative",
    )
    assert not subject_list(represented_by=user).exists()  # a claim represents nothing yet
    assert representation_draft_check(user=user, subject_id=claim.subject_id) == claim
    assert claim.history.get().history_user == user


def test_the_takeover_is_refused_a_second_user_typing_a_represented_code_gets_no_access(world):
    attacker = UserFactory(username="attacker")
    before = Representation.objects.count()

    with pytest.raises(DirectoryError) as refused:
        subject_claim(user=attacker, kind="company", code=world.subject.code, name="冒名公司")

    assert refused.value.code == DirectoryErrorCode.ALREADY_REPRESENTED
    assert refused.value.field == "code"
    assert "agent" in refused.value.message and "letter" in refused.value.message
    assert Representation.objects.count() == before
    assert not subject_list(represented_by=attacker).exists()
    assert Subject.objects.get(pk=world.subject.pk).name == "深圳市示例餐饮有限公司"
    assert subject_list(represented_by=world.applicant).filter(pk=world.subject.pk).exists()


def test_a_regulator_typing_a_code_only_claims_it(world):
    claim = subject_claim(user=world.regulator, kind="company", code=NEW_CODE, name="某公司")

    assert claim.status == Representation.Status.CLAIMED
    assert not subject_list(represented_by=world.regulator).exists()
    with pytest.raises(DirectoryError) as refused:
        representation_sign_check(
            user=world.regulator, subject_id=claim.subject_id, matter_id=world.matter.pk
        )
    assert refused.value.code == DirectoryErrorCode.REPRESENTATION_UNPROVEN


def test_a_claimant_may_not_sign_and_is_told_how_to_prove(world):
    claim = subject_claim(user=UserFactory(), kind="company", code=NEW_CODE, name="某公司")

    with pytest.raises(DirectoryError) as refused:
        representation_sign_check(
            user=claim.user, subject_id=claim.subject_id, matter_id=world.matter.pk
        )

    assert refused.value.field == "subject"
    message = str(refused.value.message)
    assert "certificate" in message and "identity platform" in message and "letter" in message


def test_a_code_claimed_but_not_proven_takes_a_second_claim(world):
    first = subject_claim(user=UserFactory(), kind="company", code=NEW_CODE, name="某公司")
    second = subject_claim(user=UserFactory(), kind="company", code=NEW_CODE, name="某公司")

    assert first.subject_id == second.subject_id
    assert {_status(first), _status(second)} == {"claimed"}


# Proof ----------------------------------------------------------------------------------------


def test_prove_turns_the_claim_into_a_proven_representation_with_its_evidence(world):
    claim = subject_claim(user=UserFactory(), kind="company", code=NEW_CODE, name="某公司")
    system = UserFactory(username="system-actor")

    proven = representation_prove(
        user=claim.user,
        code=NEW_CODE.lower(),
        name="某公司",
        role="legal_representative",
        method="identity_provider",
        evidence={"iss": "https://idp.example", "sub": "u-1"},
        by=system,
    )

    assert proven.pk == claim.pk
    assert (proven.status, proven.method) == ("proven", "identity_provider")
    assert proven.evidence == {"iss": "https://idp.example", "sub": "u-1"}
    assert subject_list(represented_by=claim.user).get() == claim.subject
    latest = proven.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        system,
        "proven by identity_provider",
    )


def test_prove_registers_an_unknown_code_and_a_repeated_login_changes_nothing(world):
    user = UserFactory()
    kwargs = dict(
        user=user,
        code=NEW_CODE,
        name="新公司",
        role="legal_representative",
        method="identity_provider",
        evidence={"sub": "u-2"},
        by=user,
    )

    first = representation_prove(**kwargs)
    again = representation_prove(**kwargs)

    assert first.pk == again.pk
    assert Subject.objects.get(code=NEW_CODE).name == "新公司"
    assert first.history.count() == 1


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("role", {"role": "owner"}),
        ("method", {"method": "declared"}),
        ("evidence", {"evidence": {}}),
        ("code", {"code": "12345"}),
    ],
)
def test_prove_refuses_bad_input_and_changes_nothing(world, field, changes):
    before = Representation.objects.count()
    kwargs = dict(
        user=UserFactory(),
        code=NEW_CODE,
        name="新公司",
        role="agent",
        method="identity_provider",
        evidence={"sub": "x"},
        by=None,
    )

    with pytest.raises(DirectoryError) as refused:
        representation_prove(**{**kwargs, **changes})

    assert refused.value.field == field
    assert Representation.objects.count() == before
    assert not Subject.objects.filter(code=NEW_CODE).exists()


# Letters --------------------------------------------------------------------------------------


def test_an_officer_approves_a_letter_and_officer_evidence_and_reason_are_recorded(world):
    claim = subject_claim(user=UserFactory(), kind="company", code=NEW_CODE, name="某公司")
    officer = _officer()

    pending = representation_letter_submit(
        user=claim.user, code=NEW_CODE, role="legal_representative", evidence=LETTER
    )
    approved = representation_letter_review(
        representation=pending, by=officer, is_approved=True, reason="与营业执照一致"
    )

    assert pending.pk == claim.pk and pending.status == "pending_review"
    assert (approved.status, approved.method) == ("proven", "letter")
    assert approved.reviewed_by == officer and approved.review_reason == "与营业执照一致"
    assert approved.evidence["sha256"] == LETTER["sha256"]
    reasons = [h.history_change_reason for h in approved.history.order_by("history_id")]
    assert reasons == [
        "claimed by typing the code (not proof)",
        "authorisation letter submitted",
        "letter approved: 与营业执照一致",
    ]
    assert subject_list(represented_by=claim.user).exists()


def test_an_officer_refuses_a_letter_with_a_reason_and_the_user_stays_unproven(world):
    claim = subject_claim(user=UserFactory(), kind="company", code=NEW_CODE, name="某公司")
    pending = representation_letter_submit(
        user=claim.user, code=NEW_CODE, role="legal_representative", evidence=LETTER
    )

    refused = representation_letter_review(
        representation=pending, by=_officer(), is_approved=False, reason="印章不清"
    )

    assert (refused.status, refused.review_reason) == ("refused", "印章不清")
    assert not subject_list(represented_by=claim.user).exists()


def test_a_letter_for_a_code_the_uploader_has_not_claimed_is_refused(world):
    claimed_by_other = subject_claim(
        user=UserFactory(), kind="company", code=NEW_CODE, name="某公司"
    )
    uploader = UserFactory()
    before = Representation.objects.count()

    with pytest.raises(DirectoryError) as refused:
        representation_letter_submit(
            user=uploader, code=claimed_by_other.subject.code, role="agent", evidence=LETTER
        )
    with pytest.raises(DirectoryError) as unknown:
        representation_letter_submit(
            user=uploader, code="91440300MA5FAKE001", role="agent", evidence=LETTER
        )

    assert refused.value.field == "code" and unknown.value.field == "code"
    assert Representation.objects.count() == before


def test_a_second_claimant_may_put_a_letter_before_an_officer(world):
    second = UserFactory()

    pending = representation_letter_submit(
        user=second, code=world.subject.code, role="agent", evidence=LETTER
    )

    assert (pending.status, pending.role, pending.method) == ("pending_review", "agent", "letter")
    assert not subject_list(represented_by=second).exists()


def test_only_an_officer_reviews_and_not_their_own_letter(world):
    pending = RepresentativeFactory(pending_letter=True, subject=world.subject)
    officer_claimant = UserFactory(is_staff=True)
    own = RepresentativeFactory(pending_letter=True, subject=world.subject, user=officer_claimant)

    with pytest.raises(DirectoryError) as not_officer:
        representation_letter_review(
            representation=pending, by=world.regulator, is_approved=True, reason="ok"
        )
    with pytest.raises(DirectoryError) as own_letter:
        representation_letter_review(
            representation=own, by=officer_claimant, is_approved=True, reason="ok"
        )

    assert not_officer.value.code == own_letter.value.code == DirectoryErrorCode.FORBIDDEN
    assert _status(pending) == _status(own) == "pending_review"


def test_the_dedicated_permission_makes_an_officer(world):
    reviewer = UserFactory()
    reviewer.user_permissions.add(Permission.objects.get(codename="review_representation"))
    pending = RepresentativeFactory(pending_letter=True, subject=world.subject)

    approved = representation_letter_review(
        representation=pending, by=reviewer, is_approved=True, reason="核对无误"
    )

    assert approved.status == "proven" and approved.reviewed_by == reviewer


# Agents ---------------------------------------------------------------------------------------


def _grant(world, agent, *, matters, days=30, now=None):
    return agent_grant(
        subject=world.subject,
        user=agent,
        matters=matters,
        valid_until=(now or timezone.now()) + dt.timedelta(days=days),
        by=world.applicant,
        reason="负责食品许可",
        now=now,
    )


def test_an_agent_signs_within_scope_and_is_refused_outside_it(world):
    agent = UserFactory()
    other_matter = MatterFactory(code="construction-permit", name="建筑工程施工许可")

    granted = _grant(world, agent, matters=[world.matter])

    assert granted.granted_by.user == world.applicant
    assert (
        representation_sign_check(
            user=agent, subject_id=world.subject.pk, matter_id=world.matter.pk
        )
        == granted
    )
    with pytest.raises(DirectoryError) as refused:
        representation_sign_check(
            user=agent, subject_id=world.subject.pk, matter_id=other_matter.pk
        )
    assert refused.value.code == DirectoryErrorCode.OUT_OF_SCOPE
    assert refused.value.field == "subject"


def test_an_agents_authorisation_ends_with_its_period(world):
    agent = UserFactory()
    start = timezone.now()
    _grant(world, agent, matters=[world.matter], days=10, now=start)

    inside = start + dt.timedelta(days=9)
    after = start + dt.timedelta(days=10, seconds=1)

    assert subject_list(represented_by=agent, at=inside).exists()
    assert not subject_list(represented_by=agent, at=after).exists()
    with pytest.raises(DirectoryError) as refused:
        representation_sign_check(
            user=agent, subject_id=world.subject.pk, matter_id=world.matter.pk, at=after
        )
    assert refused.value.code == DirectoryErrorCode.REPRESENTATION_EXPIRED


def test_revocation_is_effective_at_once_and_recorded_with_who_and_why(world):
    agent = UserFactory()
    granted = _grant(world, agent, matters=[world.matter])
    assert subject_list(represented_by=agent).exists()

    representation_revoke(representation=granted, by=world.applicant, reason="离职")

    assert not subject_list(represented_by=agent).exists()
    with pytest.raises(DirectoryError):
        representation_sign_check(
            user=agent, subject_id=world.subject.pk, matter_id=world.matter.pk
        )
    row = Representation.objects.get(pk=granted.pk)
    assert (row.status, row.revoked_by, row.revoke_reason) == ("revoked", world.applicant, "离职")
    history = list(row.history.order_by("history_id"))
    assert {(h.history_user, h.history_change_reason) for h in history[:-1]} == {
        (world.applicant, "agent authorised: 负责食品许可")  # the row, then its scope of matters
    }
    assert (history[-1].history_user, history[-1].history_change_reason) == (
        world.applicant,
        "revoked: 离职",
    )
    assert [m.matter_id for m in history[-1].matters.all()] == [world.matter.pk]
    assert agent not in subject_representative_users(subject_id=world.subject.pk)


def test_an_agent_request_is_approved_by_a_grant_or_refused(world):
    asker, refused_asker = UserFactory(), UserFactory()
    request = agent_request(user=asker, code=world.subject.code, reason="我是财务")
    other = agent_request(user=refused_asker, code=world.subject.code, reason="请授权")

    granted = _grant(world, asker, matters=[world.matter])
    refused = agent_request_refuse(representation=other, by=world.applicant, reason="不认识")

    assert granted.pk == request.pk and granted.status == "proven"
    assert (refused.status, refused.review_reason) == ("refused", "不认识")


def test_only_the_legal_representative_grants_and_nobody_else_revokes_it(world):
    agent = UserFactory()
    granted = _grant(world, agent, matters=[world.matter])
    before = Representation.objects.count()

    with pytest.raises(DirectoryError) as by_agent:
        agent_grant(
            subject=world.subject,
            user=UserFactory(),
            matters=[world.matter],
            valid_until=timezone.now() + dt.timedelta(days=1),
            by=agent,
            reason="转授权",
        )
    with pytest.raises(DirectoryError) as by_stranger:
        representation_revoke(
            representation=Representation.objects.get(user=world.applicant, subject=world.subject),
            by=world.stranger,
            reason="恶意",
        )

    assert by_agent.value.code == by_stranger.value.code == DirectoryErrorCode.FORBIDDEN
    assert Representation.objects.count() == before
    assert _status(granted) == "proven"


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("matters", {"matters": []}),
        ("valid_until", {"valid_until": None}),
        ("reason", {"reason": "  "}),
    ],
)
def test_a_grant_with_bad_input_names_the_field_and_changes_nothing(world, field, changes):
    agent = UserFactory()
    kwargs = dict(
        subject=world.subject,
        user=agent,
        matters=[world.matter],
        valid_until=timezone.now() + dt.timedelta(days=1),
        by=world.applicant,
        reason="授权",
    )

    with pytest.raises(DirectoryError) as refused:
        agent_grant(**{**kwargs, **changes})

    assert refused.value.field == field
    assert not Representation.objects.filter(user=agent).exists()
