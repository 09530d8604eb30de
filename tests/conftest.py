"""Shared fixtures: one small city with a competent department, its people and a template."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase
from rest_framework.test import APIClient

from tests.factories import (
    CompetenceFactory,
    DepartmentFactory,
    MatterFactory,
    MembershipFactory,
    RegionFactory,
    SubjectFactory,
    TemplateFactory,
    UserFactory,
    api_token_secret,
)
from tests.notifications.peers import SmtpServer

# Property-based tests: bounded examples and no deadline (a shared CI machine is slow at
# times), so the suite stays fast. "ci" is derandomized and keeps no example database, so
# every run tries the same inputs; "dev" (the default elsewhere) explores afresh and
# remembers failures under var/ (never committed). HYPOTHESIS_PROFILE picks one.
_HYPOTHESIS_COMMON = {
    "max_examples": 50,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
}
hypothesis_settings.register_profile("ci", derandomize=True, database=None, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile(
    "dev",
    database=DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parent.parent / "var" / "hypothesis"
    ),
    **_HYPOTHESIS_COMMON,
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A test (or the code under it) that switches the language does not leak it: a request in
    English leaves Django's thread on English, and the next test would read data in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@dataclass
class World:
    region: object
    matter: object
    department: object
    other_department: object
    regulator: object
    other_regulator: object
    supervisor: object
    foreign_regulator: object
    applicant: object
    subject: object
    stranger: object
    template: object


@pytest.fixture
def world(db) -> World:
    region = RegionFactory(code="440300", name="深圳市")
    matter = MatterFactory()
    department = DepartmentFactory(code="sz-amr", name="深圳市市场监督管理局", region=region)
    other_department = DepartmentFactory(
        code="sz-housing", name="深圳市住房和建设局", region=region
    )
    CompetenceFactory(matter=matter, region=region, department=department)
    regulator = UserFactory(username="regulator")
    other_regulator = UserFactory(username="regulator2")
    supervisor = UserFactory(username="supervisor")
    foreign_regulator = UserFactory(username="housing-regulator")
    MembershipFactory(user=regulator, department=department)
    MembershipFactory(user=other_regulator, department=department)
    MembershipFactory(user=supervisor, department=department, supervisor=True)
    MembershipFactory(user=foreign_regulator, department=other_department)
    applicant = UserFactory(username="applicant")
    subject = SubjectFactory(
        code="914403001922038216",
        name="深圳市示例餐饮有限公司",
        region=region,
        representative=applicant,
    )
    stranger = UserFactory(username="stranger")
    SubjectFactory(name="别人的公司", region=region, representative=stranger)
    template = TemplateFactory(matter=matter, code="food-permit")
    return World(
        region,
        matter,
        department,
        other_department,
        regulator,
        other_regulator,
        supervisor,
        foreign_regulator,
        applicant,
        subject,
        stranger,
        template,
    )


@pytest.fixture
def english(settings):
    """Speak English in this test: services through gettext, pages through LocaleMiddleware.

    The product's default is Simplified Chinese; tests that assert on the English source
    messages ask for English explicitly, the way a user would.
    """
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def admin_page_in(admin_client_):
    """Return a function giving an admin page's HTML in a language (``en``, ``zh-hans``)."""

    def read(url: str, language: str) -> str:
        response = admin_client_.get(url, headers={"accept-language": language})
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()

    return read


@pytest.fixture
def admin_pages(admin_page_in):
    """Return a function giving an admin page's HTML in English and in Chinese."""
    return lambda url: (admin_page_in(url, "en"), admin_page_in(url, "zh-hans"))


@pytest.fixture
def api_as():
    """Return a function giving an ``APIClient`` that sends ``Authorization: Token <key>``."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}")
        return client

    return make


@pytest.fixture
def draft(world, api_as):
    """A draft commitment of the world's subject, created over the API."""
    response = api_as(world.applicant).post(
        "/api/v1/commitments/create/",
        {
            "template_code": world.template.code,
            "template_version": 1,
            "subject": world.subject.code,
            "field_values": {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def smtp(settings):
    """A real local SMTP server (``tests.notifications.peers``) that Django's mail goes to."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://chengnuo.example.gov.cn"
    yield server
    server.stop()


@pytest.fixture
def s3(settings):
    """An S3 bucket on moto's real HTTP server on loopback, as the storage backend (the
    signed PDFs' and the open data day files'); the client that sees the bucket directly."""
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings.SIGNING_STORAGE_BACKEND = "signing.storage.S3Storage"
    settings.SIGNING_S3_ENDPOINT_URL = f"http://{host}:{port}"
    settings.SIGNING_S3_BUCKET = "chengnuo-documents"
    settings.SIGNING_S3_ACCESS_KEY_ID = "testing"
    settings.SIGNING_S3_SECRET_ACCESS_KEY = "testing"
    settings.SIGNING_S3_PREFIX = "documents/"
    client = boto3.client(
        "s3",
        endpoint_url=settings.SIGNING_S3_ENDPOINT_URL,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="chengnuo-documents")
    yield client
    server.stop()
