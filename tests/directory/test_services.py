"""Registering subjects: codes normalised, check characters explained, overrides recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from commitments.errors import ErrorCode
from directory import services
from directory.errors import DirectoryError
from directory.models import ExternalIdentity, Subject
from directory.services import subject_register
from tests.factories import UserFactory


def test_register_company_normalises_the_code_and_makes_no_representative(world):
    user = UserFactory(username="new-applicant")

    subject = subject_register(
        kind=Subject.Kind.COMPANY,
        code="９１４４０３００７１５２６７２６ｘｇ",
        name=" 深圳市某某科技有限公司 ",
        by=user,
    )

    assert subject.code == "9144030071526726XG"
    assert subject.name == "深圳市某某科技有限公司"
    assert subject.region == world.region  # from the code's division 440300
    assert not subject.representations.exists()  # representation needs a claim, then proof
    assert subject.history.get().history_user == user


def test_register_wrong_check_character_names_expected_and_creates_nothing(world):
    before = Subject.objects.count()

    with pytest.raises(DirectoryError) as refused, translation.override("en"):
        subject_register(
            kind=Subject.Kind.COMPANY,
            code="914403001922038217",
            name="某公司",
            by=world.applicant,
        )

    assert refused.value.code == ErrorCode.INVALID
    assert refused.value.field == "code"
    assert "(expected 6)" in str(refused.value.message)
    assert "officer" in str(refused.value.message)
    assert Subject.objects.count() == before


def test_officer_may_accept_a_wrong_check_character_with_a_reason(world):
    officer = UserFactory(username="officer", is_staff=True)

    subject = subject_register(
        kind=Subject.Kind.COMPANY,
        code="914403001922038217",
        name="早期试点企业",
        officer=officer,
        checksum_override_reason="试点地区早期赋码，经核对登记档案无误",
    )

    assert subject.checksum_overridden_by == officer
    assert subject.checksum_override_reason == "试点地区早期赋码，经核对登记档案无误"


def test_register_person_with_bad_birth_date_is_refused(world):
    with pytest.raises(DirectoryError) as refused:
        subject_register(
            kind=Subject.Kind.PERSON,
            code="110105194902300020",
            name="张三",
            by=world.applicant,
        )

    assert refused.value.field == "code"
    assert not Subject.objects.filter(code="110105194902300020").exists()


def test_register_same_code_twice_is_refused(world):
    with pytest.raises(DirectoryError) as refused:
        subject_register(
            kind=Subject.Kind.COMPANY,
            code="914403001922038216",
            name="重复",
            by=world.stranger,
        )

    assert refused.value.field == "code"
    assert not world.subject.representations.filter(user=world.stranger).exists()


def test_an_identity_provider_login_creates_its_user_once_and_records_each_login(db):
    first, later = datetime(2026, 12, 7, 9, 0, tzinfo=UTC), datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

    user = services.external_identity_login(
        issuer="https://idp.example", subject_identifier="p1", person_name="张三", now=first
    )
    again = services.external_identity_login(
        issuer="https://idp.example", subject_identifier="p1", person_name="张三", now=later
    )

    assert again == user
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get()
    assert (identity.linked_at, identity.last_login_at) == (first, later)
    assert [row.history_change_reason for row in identity.history.order_by("history_id")] == [
        "linked on first login through the identity provider",
        "logged in through the identity provider",
    ]
    assert {row.history_user for row in identity.history.all()} == {user}


def test_the_same_subject_identifier_at_another_provider_is_another_user(db):
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    one = services.external_identity_login(
        issuer="https://idp-a.example", subject_identifier="p1", person_name="张三", now=now
    )
    other = services.external_identity_login(
        issuer="https://idp-b.example", subject_identifier="p1", person_name="张三", now=now
    )

    assert one != other
