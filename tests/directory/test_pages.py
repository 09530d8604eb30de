"""Logging in through a real OpenID Connect provider (oidc-provider, started by the tests):
the full authorization code flow ends with a logged-in user whose representation is proven,
and every bad answer is refused with its reason, logging nobody in and changing nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access import reauth
from directory import oidc
from directory.models import ExternalIdentity, Subject
from directory.representation.models import Representation
from directory.representation.services import subject_claim
from directory.selectors import subject_list
from tests.directory.peers import ACCOUNTS, callback_path
from tests.factories import SubjectFactory, UserFactory
from tests.notifications.peers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DEMO_COMPANY = "914403001922038216"


def browser() -> Client:
    return Client(headers={"accept-language": "en"})


def start(client: Client) -> str:
    """Press "log in with the identity platform": the URL the site sends the browser to."""
    response = client.get(reverse("oidc:login"))
    assert response.status_code == 302
    return response["Location"]


def log_in(client: Client, provider, account: str) -> str:
    """The browser's whole trip: this site, the provider's login and consent, the callback
    URL the provider sends it back to (not yet followed)."""
    return callback_path(
        provider.authorize(start(client), login=account, password=ACCOUNTS[account]["password"])
    )


def snapshot() -> dict:
    """Everything a login may change."""
    return {
        "users": get_user_model().objects.count(),
        "identities": ExternalIdentity.objects.count(),
        "identity_history": ExternalIdentity.history.count(),
        "subjects": Subject.objects.count(),
        "representations": Representation.objects.count(),
        "representation_history": Representation.history.count(),
    }


def proven_representation(user, code: str) -> Representation:
    (representation,) = Representation.objects.filter(user=user, subject__code=code)
    assert representation.status == Representation.Status.PROVEN
    assert list(subject_list(represented_by=user)) == [representation.subject]
    return representation


def refused(client: Client, callback: str) -> str:
    """Follow the callback, expecting a refusal: the login page and its one error message,
    nobody logged in and nothing changed."""
    before = snapshot()
    response = client.get(callback)
    assert snapshot() == before
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(errors) == 1, errors
    return errors[0]


def refused_login(provider, account: str) -> str:
    """A whole login of ``account`` that this site must refuse: the refusal's message."""
    client = browser()
    return refused(client, log_in(client, provider, account))


def substitute_id_token(monkeypatch, make_token) -> None:
    """Stand between this site and the provider's token endpoint: the real code exchange
    happens, then its ID token is replaced by ``make_token(genuine_token)``."""
    exchange = oidc.IdentityProviderBackend.get_token

    def get_token(backend, payload):
        answer = exchange(backend, payload)
        return {**answer, "id_token": make_token(answer["id_token"])}

    monkeypatch.setattr(oidc.IdentityProviderBackend, "get_token", get_token)


def pending_nonce(client: Client) -> str:
    (state,) = client.session["oidc_states"].values()
    return state["nonce"]


def payload_of(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def test_a_legal_representative_logs_in_and_their_representation_is_proven(identity_provider):
    client = browser()

    response = client.get(log_in(client, identity_provider, "zhangsan"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    identity = ExternalIdentity.objects.get()
    assert identity.issuer == identity_provider.issuer
    assert identity.subject_identifier == "zhangsan"
    assert int(client.session["_auth_user_id"]) == identity.user.pk
    assert identity.user.first_name == "张三"
    assert not identity.user.has_usable_password()
    subject = Subject.objects.get(code=DEMO_COMPANY)
    assert subject.name == "深圳市示例餐饮有限公司"
    representation = proven_representation(identity.user, DEMO_COMPANY)
    assert representation.role == Representation.Role.LEGAL_REPRESENTATIVE
    assert representation.method == Representation.Method.IDENTITY_PROVIDER
    evidence = representation.evidence
    assert (evidence["issuer"], evidence["subject_identifier"]) == (
        identity_provider.issuer,
        "zhangsan",
    )
    assert evidence["claims"]["uscc"] == DEMO_COMPANY
    assert evidence["claims"]["enterprise_role"] == "法定代表人"
    assert evidence["claims"]["aud"] == identity_provider.client_id
    assert payload_of(evidence["id_token"])["sub"] == "zhangsan"
    (proven,) = representation.history.all()
    assert proven.history_user == identity.user
    assert proven.history_change_reason == "proven by identity_provider"
    (linked,) = identity.history.all()
    assert linked.history_user == identity.user
    assert linked.history_change_reason == "linked on first login through the identity provider"


def test_a_second_login_finds_the_same_user_by_issuer_and_subject(identity_provider):
    first = browser()
    first.get(log_in(first, identity_provider, "lisi"))
    user = ExternalIdentity.objects.get().user

    again = browser()
    response = again.get(log_in(again, identity_provider, "lisi"))

    assert response.status_code == 302
    assert int(again.session["_auth_user_id"]) == user.pk
    assert get_user_model().objects.filter(external_identities__isnull=False).count() == 1
    assert ExternalIdentity.objects.get().history.count() == 2
    assert Representation.objects.get(user=user).history.count() == 1  # nothing to change


def test_an_existing_user_with_the_same_name_is_never_taken_over(identity_provider):
    existing = UserFactory(username="zhangsan", first_name="张三", email="zhangsan@example.cn")
    client = browser()

    client.get(log_in(client, identity_provider, "zhangsan"))

    user = ExternalIdentity.objects.get().user
    assert user != existing
    assert int(client.session["_auth_user_id"]) == user.pk


def test_an_agent_of_a_represented_company_is_proven_beside_its_representative(
    identity_provider,
):
    representative = UserFactory()
    subject = SubjectFactory(code="91440300MA5G2X0K4T", representative=representative)
    client = browser()

    client.get(log_in(client, identity_provider, "lisi"))

    user = ExternalIdentity.objects.get().user
    assert proven_representation(user, subject.code).role == Representation.Role.AGENT
    assert list(subject_list(represented_by=representative)) == [subject]
    assert Subject.objects.filter(code=subject.code).count() == 1


def test_a_code_someone_typed_first_does_not_keep_the_company_out(identity_provider):
    squatter = UserFactory()
    claim = subject_claim(
        user=squatter, kind=Subject.Kind.COMPANY, code=DEMO_COMPANY, name="抢注的名称"
    )
    client = browser()

    client.get(log_in(client, identity_provider, "zhangsan"))

    user = ExternalIdentity.objects.get().user
    assert proven_representation(user, DEMO_COMPANY).subject == claim.subject
    assert list(subject_list(represented_by=squatter)) == []


def test_claims_without_a_company_are_refused_and_change_nothing(identity_provider):
    message = refused_login(identity_provider, "wangwu")

    assert message == (
        "The identity platform did not send the claim “uscc” (the subject's unified social "
        "credit code)."
    )


def test_an_id_token_issued_to_another_application_is_refused(identity_provider, monkeypatch):
    client = browser()
    authorization = start(client)
    nonce = pending_nonce(client)
    # Another application at the same provider got a genuine token for the same person,
    # even with this login's nonce; it must not open a session here.
    stolen = identity_provider.id_token_for_other_client(
        login="zhangsan", password=ACCOUNTS["zhangsan"]["password"], nonce=nonce
    )
    assert payload_of(stolen)["aud"] == "other-app"
    substitute_id_token(monkeypatch, lambda genuine: stolen)
    callback = callback_path(
        identity_provider.authorize(authorization, login="zhangsan", password="zhangsan-pass")
    )

    message = refused(client, callback)

    assert message == (
        "The identity platform's token was issued to another application (other-app), "
        "not to this one."
    )


def test_an_expired_id_token_is_refused(identity_provider):
    client = browser()
    callback = log_in(client, identity_provider, "zhangsan")

    # The token lives an hour (the provider's default); this callback arrives two hours on.
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        message = refused(client, callback)

    assert message.startswith("The identity platform's token expired at ")
    assert message.endswith(". Log in again.")


def test_an_id_token_issued_too_long_ago_is_refused_before_it_expires(identity_provider, settings):
    settings.CHENGNUO_OIDC_TOKEN_MAX_AGE = 300
    client = browser()
    callback = log_in(client, identity_provider, "zhangsan")

    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        message = refused(client, callback)

    assert message.startswith("The identity platform's token was issued too long ago")


def test_an_altered_id_token_is_refused(identity_provider, monkeypatch):
    def claim_another_company(genuine: str) -> str:
        header, payload, signature = genuine.split(".")
        claims = {**payload_of(genuine), "uscc": "91440300MA5G2X0K4T"}
        altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{altered}.{signature}"

    substitute_id_token(monkeypatch, claim_another_company)

    message = refused_login(identity_provider, "zhangsan")

    assert message == (
        "The identity platform's token signature does not verify: it was not issued by the "
        "configured identity platform, or it was altered."
    )


def test_an_id_token_signed_with_another_key_is_refused(identity_provider, monkeypatch):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def forge(genuine: str) -> str:
        headers = {"kid": jwt.get_unverified_header(genuine)["kid"]}
        return jwt.encode(payload_of(genuine), forger, algorithm="RS256", headers=headers)

    substitute_id_token(monkeypatch, forge)

    message = refused_login(identity_provider, "zhangsan")

    assert message.startswith("The identity platform's token signature does not verify")


def test_a_replayed_callback_is_refused(identity_provider):
    client = browser()
    callback = log_in(client, identity_provider, "zhangsan")
    client.get(callback)
    client.post(reverse("logout"))

    message = refused(client, callback)

    assert message == (
        "This login through the identity platform is unknown here or was already used. "
        "Start again from the login page."
    )


def test_a_callback_in_another_browser_is_refused(identity_provider):
    victim = browser()
    callback = log_in(victim, identity_provider, "zhangsan")
    attacker = browser()

    message = refused(attacker, callback)

    assert message.startswith("This login through the identity platform is unknown here")


def test_an_id_token_replayed_into_a_later_login_is_refused(identity_provider, monkeypatch):
    earlier = browser()
    earlier_callback = log_in(earlier, identity_provider, "zhangsan")
    captured = {}
    exchange = oidc.IdentityProviderBackend.get_token

    def capture(backend, payload):
        captured.update(exchange(backend, payload))
        return captured

    monkeypatch.setattr(oidc.IdentityProviderBackend, "get_token", capture)
    earlier.get(earlier_callback)
    monkeypatch.undo()
    substitute_id_token(monkeypatch, lambda genuine: captured["id_token"])

    message = refused_login(identity_provider, "zhangsan")

    assert message == (
        "The identity platform's token does not belong to this login (its nonce differs). "
        "Start again from the login page."
    )


def test_a_refusal_at_the_provider_is_shown_and_consumes_the_state(identity_provider):
    client = browser()
    state = dict(parse_qsl(urlsplit(start(client)).query))["state"]

    message = refused(
        client,
        reverse("oidc:callback")
        + f"?error=access_denied&error_description=End-User+aborted+interaction&state={state}",
    )

    assert message == (
        "The identity platform did not confirm your identity (End-User aborted interaction)."
    )
    assert client.session["oidc_states"] == {}


def test_an_answer_naming_another_issuer_is_refused(identity_provider):
    client = browser()
    state = dict(parse_qsl(urlsplit(start(client)).query))["state"]

    message = refused(
        client, reverse("oidc:callback") + f"?code=abc&state={state}&iss=https://evil.example"
    )

    assert message == (
        "The answer came from https://evil.example, not from the configured identity platform."
    )


def test_a_failed_login_is_announced_for_brute_force_protection(identity_provider):
    heard = []

    def refusal_listener(sender, request, error, **kwargs):
        heard.append(("identity_login_failed", error.code, request.path))

    def failure_listener(sender, credentials, request, **kwargs):
        heard.append(("user_login_failed", credentials, request.path))

    oidc.identity_login_failed.connect(refusal_listener)
    user_login_failed.connect(failure_listener)
    try:
        refused(browser(), reverse("oidc:callback") + "?code=abc&state=unknown")
    finally:
        oidc.identity_login_failed.disconnect(refusal_listener)
        user_login_failed.disconnect(failure_listener)

    callback = reverse("oidc:callback")
    assert heard == [
        ("identity_login_failed", "identity_login_unknown", callback),
        ("user_login_failed", {"identity_provider": identity_provider.issuer}, callback),
    ]


def test_the_login_page_offers_the_identity_platform(identity_provider):
    response = Client().get(reverse("login") + "?next=/commitments/")

    assert response.status_code == 200
    assert 'data-testid="identity-provider-login"' in response.content.decode()
    assert f'href="{reverse("oidc:login")}?next=/commitments/"' in response.content.decode()
    assert "使用统一身份认证平台登录" in response.content.decode()


def test_the_login_returns_to_the_page_that_asked_for_it(identity_provider):
    client = browser()
    authorization = client.get(reverse("oidc:login") + "?next=/commitments/")["Location"]
    callback = identity_provider.authorize(
        authorization, login="zhangsan", password=ACCOUNTS["zhangsan"]["password"]
    )

    response = client.get(callback_path(callback))

    assert response["Location"] == "/commitments/"


def test_a_code_the_provider_does_not_know_is_refused(identity_provider):
    client = browser()
    callback = log_in(client, identity_provider, "zhangsan")
    query = dict(parse_qsl(urlsplit(callback).query))

    message = refused(
        client, reverse("oidc:callback") + f"?code=forged-code&state={query['state']}"
    )

    assert message.startswith("The identity platform refused to complete the login (")
    assert message.endswith("). Start again from the login page.")


def test_an_unreachable_provider_is_refused_with_a_reason(identity_provider, settings):
    client = browser()
    callback = log_in(client, identity_provider, "zhangsan")
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{free_port()}/token"

    message = refused(client, callback)

    assert message == "The identity platform did not answer. Try again later."


def test_a_provider_session_proves_itself_at_the_provider_again_before_signing(
    identity_provider,
):
    client = browser()
    client.get(log_in(client, identity_provider, "zhangsan"))
    assert client.session[reauth.AUTHENTICATED_WITH] == reauth.IDENTITY_PROVIDER
    request = client.get(reverse("home")).wsgi_request

    again = reauth.reauthenticate_url(request, next_url="/commitments/")
    authorization = client.get(again)["Location"]

    query = dict(parse_qsl(urlsplit(authorization).query))
    assert authorization.startswith(identity_provider.discovery["authorization_endpoint"])
    assert (query["prompt"], query["max_age"]) == ("login", "0")
    callback = identity_provider.authorize(
        authorization, login="zhangsan", password=ACCOUNTS["zhangsan"]["password"]
    )
    assert client.get(callback_path(callback))["Location"] == "/commitments/"
    assert client.session[reauth.AUTHENTICATED_WITH] == reauth.IDENTITY_PROVIDER


def test_failed_callbacks_lock_the_address_out_of_the_identity_provider_too(
    identity_provider, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    refused_login(identity_provider, "wangwu")  # no company claim: refused
    second = browser()
    assert second.get(log_in(second, identity_provider, "wangwu")).status_code == 429
    client = browser()
    callback = log_in(client, identity_provider, "zhangsan")  # a login that would succeed

    response = client.get(callback)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.filter(subject_identifier="zhangsan").exists()
