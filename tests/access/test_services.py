"""API tokens: hashed at rest, expiry, rotation with an overlap, revocation, last use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from access.errors import AccessError
from access.models import ApiToken
from access.selectors import token_find, token_hash
from access.services import token_issue, token_revoke, token_rotate, token_touch
from tests.factories import UserFactory

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_token_is_stored_as_a_digest_and_its_secret_shown_once():
    admin = UserFactory(username="admin")
    issued = token_issue(user=UserFactory(username="api-system"), name="approvals", by=admin)

    token = ApiToken.objects.get()
    stored = " ".join(str(value) for value in ApiToken.objects.values_list().get())
    assert issued.secret not in stored
    assert token.key_hash == token_hash(issued.secret)
    assert token.prefix == issued.secret[:8]
    assert len(issued.secret) == 40
    assert token_find(secret=issued.secret) == token
    assert token.history.get().history_user == admin


@pytest.mark.django_db
def test_a_token_expires_after_the_default_lifetime(settings):
    settings.ACCESS_TOKEN_DAYS = 30
    issued = token_issue(user=UserFactory(), name="t", by=None, at=NOW)

    assert issued.token.expires_at == NOW + dt.timedelta(days=30)
    assert issued.token.is_valid(at=NOW + dt.timedelta(days=29, hours=23))
    assert not issued.token.is_valid(at=NOW + dt.timedelta(days=30))


@pytest.mark.django_db
def test_a_token_without_a_name_is_refused():
    with pytest.raises(AccessError) as refused:
        token_issue(user=UserFactory(), name="  ", by=None)
    assert refused.value.field == "name"
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_an_inactive_account_gets_no_token():
    with pytest.raises(AccessError) as refused:
        token_issue(user=UserFactory(is_active=False), name="t", by=None)
    assert refused.value.field == "user"
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_rotating_keeps_the_old_token_valid_for_the_overlap_only(settings):
    settings.ACCESS_TOKEN_ROTATION_OVERLAP_HOURS = 24
    old = token_issue(user=UserFactory(), name="approvals", by=None, at=NOW).token

    new = token_rotate(token=old, by=None, at=NOW + dt.timedelta(days=1)).token

    old.refresh_from_db()
    assert old.replaced_by == new
    assert new.name == "approvals" and new.user == old.user
    assert old.is_valid(at=NOW + dt.timedelta(days=1, hours=23))
    assert not old.is_valid(at=NOW + dt.timedelta(days=2))
    assert new.is_valid(at=NOW + dt.timedelta(days=2))


@pytest.mark.django_db
def test_a_token_is_rotated_once_and_a_revoked_one_not_at_all():
    token = token_issue(user=UserFactory(), name="t", by=None, at=NOW).token
    token_rotate(token=token, by=None, at=NOW)
    with translation.override("en"), pytest.raises(AccessError, match="already been rotated"):
        token_rotate(token=token, by=None, at=NOW)

    other = token_issue(user=UserFactory(), name="t", by=None, at=NOW).token
    token_revoke(token=other, by=None, reason="leaked", at=NOW)
    with pytest.raises(AccessError):
        token_rotate(token=other, by=None, at=NOW)
    assert ApiToken.objects.count() == 3  # the two and one successor, nothing more


@pytest.mark.django_db
def test_revoking_records_who_and_why_and_needs_a_reason():
    admin = UserFactory(username="admin")
    token = token_issue(user=UserFactory(), name="t", by=None, at=NOW).token
    with pytest.raises(AccessError) as refused:
        token_revoke(token=token, by=admin, reason=" ", at=NOW)
    assert refused.value.field == "reason"

    token_revoke(token=token, by=admin, reason="leaked in a log", at=NOW)

    token.refresh_from_db()
    assert (token.revoked_at, token.revoked_by) == (NOW, admin)
    assert token.history.first().history_change_reason == "API token revoked: leaked in a log"
    assert not token.is_valid(at=NOW)


@pytest.mark.django_db
def test_the_last_use_is_written_at_most_once_a_minute():
    token = token_issue(user=UserFactory(), name="t", by=None, at=NOW).token

    written = [
        token_touch(key_hash=token.key_hash, at=NOW + dt.timedelta(seconds=seconds))
        for seconds in (0, 10, 59, 60, 61, 125)
    ]

    token.refresh_from_db()
    assert written == [True, False, False, True, False, True]
    assert token.last_used_at == NOW + dt.timedelta(seconds=125)


@pytest.mark.django_db
def test_valid_tokens_are_neither_revoked_nor_expired():
    user = UserFactory()
    valid = token_issue(user=user, name="valid", by=None, at=NOW).token
    token_issue(user=user, name="expired", by=None, at=NOW, expires_at=NOW + dt.timedelta(1))
    revoked = token_issue(user=user, name="revoked", by=None, at=NOW).token
    token_revoke(token=revoked, by=None, reason="r", at=NOW)

    assert list(ApiToken.objects.valid(at=NOW + dt.timedelta(days=2))) == [valid]
    assert timezone.is_aware(valid.expires_at)
