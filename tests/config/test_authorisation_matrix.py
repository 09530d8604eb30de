"""Who may reach what: every page and every API operation, as every role, against the matrix.

The rows are generated: pages from the URL resolver (every pattern, its parameters filled with
real objects of one shared demo city), operations from the OpenAPI schema. Each is requested
as each role of ``authorisation_matrix.ROLES`` and the outcome (a status, or ``login`` for a
redirect to a login page) compared with the expected row in
``tests/config/authorisation_matrix.py``. A URL or operation without a row fails, so a new one
cannot ship without someone saying who may use it. Pages are tried with GET and with an empty
POST (a view that checks access in ``get`` only is caught); the admin with GET (its one
``admin_view`` guard covers every method); operations with their own method and an empty body.
Every request runs in a savepoint that is rolled back, so no request sees another's changes.

``AUTHORISATION_MATRIX_RECORD=1`` rewrites the matrix from what the code does now: read the
diff before committing it, since it is the specification.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from access.services import token_issue
from commitments.associations.models import BulkIssue
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.exemption import exemption_decide
from commitments.pledges.models import Tender
from credit.opendata.services.days import open_data_day_build
from credit.record.services.notices import repair_notice_issue
from credit.reports.services import repair_notice_seal, report_request
from directory.models import Department, Matter, Subject
from notifications.models import Channel, Notification, OutboxMessage
from tests.config import authorisation_matrix as matrix
from tests.factories import (
    PDF_BYTES,
    BidPledgeFactory,
    BreachFactory,
    CallingSystemFactory,
    CommitmentFactory,
    DelegationFactory,
    ExemptionRuleFactory,
    ObjectionFactory,
    ObligationFactory,
    PerformanceEvidenceFactory,
    PerformanceReportFactory,
    RepairApplicationFactory,
    RepairProofFactory,
    RepresentativeFactory,
    SubjectFactory,
    UserFactory,
    VerificationEvidenceFactory,
    make_uscc,
)
from workflows.management.commands.demo_load import (
    API_USERNAME,
    FOOD_TEMPLATE_CODE,
    SUBJECT_CODE,
)
from workflows.management.demo_association import ASSOCIATION_CODE
from workflows.verification.models import Rectification, VerificationTaskIndex

RECORD = bool(os.environ.get("AUTHORISATION_MATRIX_RECORD"))
MATRIX_FILE = Path(matrix.__file__)
API_PREFIX = "api/v1/"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
AGENT_ROLES = frozenset({"agent_in_scope", "agent_out_of_scope"})
PENDING_ROLES = frozenset() if importlib.util.find_spec("directory.representation") else AGENT_ROLES
PENDING = "?"


# The URL patterns and operations, read at collection ----------------------------------------


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern, route)
        else:
            found.append((route, pattern))
    return found


PATTERNS = dict(_patterns(get_resolver()))
PAGE_ROUTES = sorted(route for route in PATTERNS if not route.startswith(API_PREFIX))
API_ROUTES = sorted(route for route in PATTERNS if route.startswith(API_PREFIX))
_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = {
    operation["operationId"]: (method.upper(), path)
    for path, item in _SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete")
}


def _page_cases() -> list[tuple[str, str]]:
    cases = []
    for route in PAGE_ROUTES:
        methods = ("GET",) if route.startswith("admin/") else ("GET", "POST")
        cases += [(route, method) for method in methods]
    return cases


# One demo city for the whole module ---------------------------------------------------------


@dataclass
class City:
    users: dict[str, object]  # the person of each role that has one
    clients: dict[str, Client]
    api_headers: dict[str, dict[str, str]]
    page_values: dict[str, dict[str, object]]
    api_values: dict[str, dict[str, object]]
    admin_objects: dict[str, object]


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, one user per role and one object of each kind a URL names.

    Built once inside a transaction rolled back at the end of the module; each test runs in
    a savepoint of it (pytest-django's ``db``). Yesterday's open data CSV is built into a
    document store of the module's own.
    """
    documents = str(tmp_path_factory.mktemp("documents"))
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(SIGNING_DOCUMENT_ROOT=documents),
    ):
        built = _build_city()
        open_data_day_build(day=timezone.localdate() - timedelta(days=1))
        yield built
        transaction.set_rollback(True)


def _build_city() -> City:
    call_command("demo_load", verbosity=0)
    users = get_user_model().objects.in_bulk(
        ["applicant", "regulator", "housing", "supervisor", "admin", "association"],
        field_name="username",
    )
    subject = Subject.objects.get(code=SUBJECT_CODE)
    other_subject = SubjectFactory(name="深圳市另一家公司")
    other_applicant = UserFactory(username="applicant-b")
    RepresentativeFactory(subject=other_subject, user=other_applicant)
    agents, representations = _agents(subject=subject, representative=users["applicant"])
    system_key = token_issue(  # the demo's calling system
        user=get_user_model().objects.get(username=API_USERNAME), name="matrix", by=None
    ).secret
    people = {
        "applicant": users["applicant"],
        "other_applicant": other_applicant,
        **agents,
        "regulator": users["regulator"],
        "other_regulator": users["housing"],
        "supervisor": users["supervisor"],
        "admin": users["admin"],
        "association": users["association"],
    }
    clients = {"anonymous": Client(raise_request_exception=False)}
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role, user in people.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
        key = token_issue(user=user, name="matrix", by=None).secret
        headers[role] = {"HTTP_AUTHORIZATION": f"Token {key}"}
    # The calling system has a token, not a session: it tries pages with its token too.
    headers["calling_system"] = {"HTTP_AUTHORIZATION": f"Token {system_key}"}
    clients["calling_system"] = Client(raise_request_exception=False, **headers["calling_system"])
    assert set(clients) | PENDING_ROLES == set(matrix.ROLES)

    applicant = users["applicant"]
    department = Department.objects.get(code="sz-amr")
    signed = Commitment.objects.get(subject=subject, template__code=FOOD_TEMPLATE_CODE)
    draft = CommitmentFactory(subject=subject, template=signed.template, created_by=applicant)
    pledge = BidPledgeFactory(tender=Tender.objects.get(), subject=subject, pledged_by=applicant)
    obligation = ObligationFactory(commitment=signed)
    report = PerformanceReportFactory(obligation=obligation, submitted_by=applicant)
    evidence = PerformanceEvidenceFactory(report=report)
    if not default_storage.exists(evidence.file.name):
        default_storage.save(evidence.file.name, ContentFile(PDF_BYTES))
    breach = BreachFactory(subject=subject)
    repair = RepairApplicationFactory(
        breach__subject=subject, department=department, submitted_by=applicant
    )
    proof = RepairProofFactory(application=repair)
    objection = ObjectionFactory(breach__subject=subject, department=department, filed_by=applicant)
    failed_delivery = _failed_delivery(subject=subject, department=department)
    task = VerificationTaskIndex.objects.get(commitment=signed).task
    rectification_of_signed = Rectification.objects.create(  # what its pages and API read
        commitment=signed,
        department=department,
        method="on_site",
        gaps="消毒柜未安装",
        due_at=timezone.now() + timedelta(days=7),
        due_basis={},
        ordered_by=users["regulator"],
        ordered_at=timezone.now(),
    )
    _exempt_case(template=signed.template, subject=other_subject, department=department)
    delegation = DelegationFactory(
        department=department, delegator=users["regulator"], created_by=users["regulator"]
    )
    verification_evidence = VerificationEvidenceFactory(
        verification__commitment__subject=subject,
        verification__commitment__department=department,
        verification__regulator=users["regulator"],
        uploaded_by=users["regulator"],
    )
    notification = Notification.objects.create(
        recipient=applicant, key="matrix-1", subject="提醒", body="您有一项待办。"
    )
    outbox = OutboxMessage.objects.create(  # a warning about A's obligation that gave up
        key="matrix-warning",
        channel=Channel.EMAIL,
        recipient=applicant,
        address="applicant@example.cn",
        language="zh-hans",
        subject="履约预警",
        body="您的承诺事项即将到期。",
        audience_group=f"department:{department.pk}",
        topic=f"obligation:{obligation.pk}",
        status=OutboxMessage.Status.DEAD,
        next_attempt_at=timezone.now(),
    )
    credit_report = report_request(
        user=applicant,
        subject_code=subject.code,
        span_from=timezone.localdate() - timedelta(days=365),
        span_until=timezone.localdate(),
    )
    repair_notice = repair_notice_issue(breach=breach, by=users["regulator"])
    sealed_notice = repair_notice_seal(notice_id=repair_notice.pk)
    signed_values = {"reference": signed.reference}
    draft_values = {"reference": draft.reference}
    page_values: dict[str, dict[str, object]] = {
        "reports/verify/<str:reference>/": {"reference": credit_report.reference},
        "reports/<str:reference>.pdf": {"reference": credit_report.reference},
        "reports/notices/<str:reference>.pdf": {"reference": repair_notice.reference},
        "reports/notices/verify/<str:reference>/<str:code>/": {
            "reference": repair_notice.reference,
            "code": sealed_notice.check_code,
        },
        "commitments/templates/<int:pk>/notice/": {"pk": signed.template_id},
        "commitments/templates/<int:pk>/new/": {"pk": signed.template_id},
        "commitments/<str:reference>/": signed_values,
        "commitments/<str:reference>/edit/": draft_values,
        "commitments/<str:reference>/withdraw/": draft_values,
        "commitments/<str:reference>/preview.pdf": draft_values,
        "commitments/<str:reference>/document.pdf": signed_values,
        "commitments/<str:reference>/sign/": draft_values,
        "commitments/<str:reference>/upload-signed/": draft_values,
        "commitments/obligations/deliveries/<int:pk>/retry/": {"pk": outbox.pk},
        "commitments/obligations/<int:pk>/": {"pk": obligation.pk},
        "commitments/obligations/<int:pk>/report/": {"pk": obligation.pk},
        "commitments/obligations/<int:pk>/extend/": {"pk": obligation.pk},
        "commitments/obligations/reports/<int:pk>/accept/": {"pk": report.pk},
        "commitments/obligations/reports/<int:pk>/reject/": {"pk": report.pk},
        "commitments/obligations/evidence/<int:pk>/": {"pk": evidence.pk},
        "regulator/credit/repair/<int:pk>/": {"pk": repair.pk},
        "regulator/credit/repair/<int:pk>/proof/<int:proof_pk>/": {
            "pk": repair.pk,
            "proof_pk": proof.pk,
        },
        "regulator/credit/objection/<int:pk>/": {"pk": objection.pk},
        "regulator/credit/deliveries/<int:pk>/resend/": {"pk": failed_delivery.pk},
        "regulator/delegations/<int:pk>/revoke/": {"pk": delegation.pk},
        "regulator/evidence/<int:pk>/": {"pk": verification_evidence.pk},
        "notifications/<int:pk>/read/": {"pk": notification.pk},
        "credit/<str:code>/repair/<int:breach_id>/": {"code": subject.code, "breach_id": breach.pk},
        "credit/<str:code>/objection/<int:breach_id>/": {
            "code": subject.code,
            "breach_id": breach.pk,
        },
        "pledges/sign/<str:reference>/": {"reference": pledge.commitment.reference},
    }
    if representations:
        letter = {"pk": representations["letter"].pk}
        page_values |= {
            "commitments/letters/<int:pk>/letter.pdf": letter,
            "commitments/letters/<int:pk>/review/": letter,
            "commitments/subjects/<int:pk>/agents/": {"pk": subject.pk},
            "commitments/representations/<int:pk>/<str:action>/": {
                "pk": representations["agent_out_of_scope"].pk,
                "action": "revoke",
            },
        }
    page_values["<defaults>"] = {"code": subject.code, "kind": "red", "reference": signed.reference}
    bulk_issue = BulkIssue.objects.get(association__code=ASSOCIATION_CODE)
    association_values = {"association": ASSOCIATION_CODE, "pk": bulk_issue.pk}
    for route in PAGE_ROUTES:
        if route.startswith("regulator/tasks/"):
            page_values[route] = {"pk": task.pk}
        elif route.startswith("pledges/") and "<int:pk>" in route:
            page_values[route] = {"pk": pledge.pk}
        elif route.startswith("associations/<slug:association>/"):
            page_values[route] = association_values
    api_values = {
        "/api/v1/associations/": {**association_values, "id": bulk_issue.pk},
        "/api/v1/pledges/": {"id": pledge.pk},
        "/api/v1/obligations/": {"id": obligation.pk},
        "/api/v1/obligations/reports/": {"id": report.pk},
        "/api/v1/tasks/": {"id": task.pk},
        "/api/v1/credit/office/repairs/": {"id": repair.pk},
        "/api/v1/credit/office/objections/": {"id": objection.pk},
        "/api/v1/commitments/": draft_values,
        "/api/v1/commitments/{reference}/rectification/": {
            "reference": rectification_of_signed.commitment.reference
        },
        "/api/v1/portal/commitments/": signed_values,
        "/api/v1/": {"code": subject.code, "kind": "red"},
        "/api/v1/credit/reports/": {"reference": credit_report.reference},
    }
    if representations:
        agent = representations["agent_out_of_scope"]
        api_values |= {
            "/api/v1/representations/{id}/revoke/": {"id": agent.pk},
            "/api/v1/representations/{id}/refuse/": {"id": representations["request"].pk},
            "/api/v1/representations/{id}/review/": {"id": representations["letter"].pk},
        }
    admin_objects = {}
    for model, _admin in _admin_site()._registry.items():
        admin_objects[model._meta.label_lower] = model._default_manager.order_by("pk").first()
    return City(
        users=people,
        clients=clients,
        api_headers=headers,
        page_values=page_values,
        api_values=api_values,
        admin_objects=admin_objects,
    )


def _exempt_case(*, template, subject: Subject, department: Department) -> None:
    """A commitment of grade A subject B under verification, exempt under its matter's rule
    and waiting for a spot-check draw: the supervisor's exempt cases list shows a row (and the
    admin its exemption and rule), recorded by the service the verification flow calls."""
    commitment = CommitmentFactory(
        signed=True,
        status=Commitment.Status.UNDER_VERIFICATION,
        subject=subject,
        template=template,
        department=department,
        verification_due_at=timezone.now() + timedelta(days=14),
    )
    ExemptionRuleFactory(matter=template.matter, kind=template.kind)
    exemption = exemption_decide(commitment=commitment)
    assert exemption is not None, "subject B is grade A by the grade rules the migrations seed"


def _agents(*, subject: Subject, representative) -> tuple[dict[str, object], dict[str, object]]:
    """Two agents of ``subject`` (one for its commitments' matter, one for another matter), and
    a representation of each state a URL names: an agent, an agent request, a pending letter.

    Empty until the representation capability (agents with a scope of matters) is merged;
    their columns are then pending.
    """
    if PENDING_ROLES:
        return {}, {}
    from commitments.lifecycle.services.representation import representation_letter_upload
    from directory.representation.services import agent_grant, agent_request, subject_claim
    from signing.render.letter import render_authorisation_letter

    food = Matter.objects.get(code="food-business-permit")
    construction = Matter.objects.exclude(pk=food.pk).first()
    agents, representations = {}, {}
    for role, scope in (("agent_in_scope", food), ("agent_out_of_scope", construction)):
        agents[role] = UserFactory(username=role.replace("_", "-"))
        representations[role] = agent_grant(
            subject=subject,
            user=agents[role],
            matters=[scope],
            valid_until=timezone.now() + timedelta(days=90),
            by=representative,
            reason="授权办理",
        )
    representations["request"] = agent_request(
        user=UserFactory(username="agent-requester"), code=subject.code, reason="请授权我办理"
    )
    claimant, code = UserFactory(username="letter-claimant"), make_uscc()
    subject_claim(user=claimant, kind=Subject.Kind.COMPANY, code=code, name="深圳市信函公司")
    representations["letter"] = representation_letter_upload(
        user=claimant,
        code=code,
        role="legal_representative",
        data=render_authorisation_letter(code=code, representative="letter-claimant", role="lr"),
    )
    return agents, representations


def _admin_site():
    from django.contrib import admin

    return admin.site


# Turning a pattern into a real URL ----------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


def page_url(route: str, city: City) -> str:
    """The URL of ``route`` with its parameters filled with real objects; it must resolve back."""
    admin = _ADMIN_MODEL.match(route)
    if route == "admin/(?P<url>.*)$":
        url = "/admin/no-such-page/"
    elif route.startswith("admin/^(?P<app_label>"):
        url = "/admin/directory/"
    elif route == "admin/r/<path:content_type_id>/<path:object_id>/":
        from django.contrib.contenttypes.models import ContentType

        url = f"/admin/r/{ContentType.objects.get_for_model(Subject).pk}/{_subject_pk()}/"
    elif admin and route.startswith("admin/auth/user/<id>/"):
        url = f"/admin/auth/user/{get_user_model().objects.get(username='applicant').pk}/password/"
    elif admin:
        label = f"{admin['app']}.{admin['model']}"
        instance = city.admin_objects.get(label)
        object_id = instance.pk if instance is not None else 0
        rest = route[admin.end() :]
        if rest.startswith("^([^/]+)/history/([^/]+)/$"):
            history = instance.history.order_by("pk").first() if instance is not None else None
            url = f"/{route[: admin.end()]}{object_id}/history/{history.pk if history else 0}/"
        else:
            url = "/" + route.replace("<path:object_id>", str(object_id))
    else:
        values = {**city.page_values["<defaults>"], **city.page_values.get(route, {})}
        url = "/" + _CONVERTER.sub(lambda match: str(values[match["name"]]), route)
    match = resolve(urlsplit(url).path)
    assert match.func == PATTERNS[route].callback or route.startswith("admin/(?P<url>"), (
        f"{route}: the filled URL {url} resolves to {match.route}"
    )
    return url


def _failed_delivery(*, subject: Subject, department):
    """A repair of the department's record whose webhook to another system gave up."""
    from credit.changes.services import change_subscription_set, record_change_queue
    from notifications.models import OutboxMessage

    system = CallingSystemFactory(code="matrix-webhooks", name="矩阵审批系统")
    change_subscription_set(system=system, scope="all", url="https://approvals.example.org/h")
    notice = record_change_queue(
        breach=BreachFactory(subject=subject, department=department), change="repaired"
    )[-1]
    OutboxMessage.objects.filter(pk=notice.webhook_id).update(
        status="dead", attempts=8, last_error="The receiver answered 410"
    )
    return notice


def _subject_pk() -> int:
    return Subject.objects.get(code=SUBJECT_CODE).pk


def _api_url(path: str, city: City) -> str:
    values: dict[str, object] = {}
    for prefix, named in sorted(city.api_values.items(), key=lambda item: len(item[0])):
        if path.startswith(prefix):
            values |= named
    return re.sub(r"\{(\w+)\}", lambda match: str(values[match[1]]), path)


# The outcome of one request -----------------------------------------------------------------


def _outcome(response) -> str:
    """``login`` for a redirect to a login page, else the status code."""
    is_redirect = response.status_code in (301, 302, 303)
    if is_redirect and urlsplit(response["Location"]).path in LOGIN_PATHS:
        return "login"
    return str(response.status_code)


def _request(client: Client | None, method: str, url: str, **extra) -> str:
    if client is None:
        return PENDING
    cookies = copy.deepcopy(client.cookies)  # a logout or a new session must not stick
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, **extra)
        else:
            response = client.generic(
                method, url, data=b"{}" if url.startswith("/api/") else b"",
                content_type="application/json" if url.startswith("/api/")
                else "application/x-www-form-urlencoded", **extra,
            )  # fmt: skip
        transaction.set_rollback(True)
    client.cookies = cookies
    return _outcome(response)


def _compare(key: str, expected: str | None, observed: list[str]) -> None:
    row = " ".join(observed)
    if RECORD:
        _RECORDED[key] = row
        return
    assert expected is not None, (
        f"{key} has no row in tests/config/authorisation_matrix.py: say who may use it,"
        f" in the order {' '.join(matrix.ROLES)}. Now: {row}"
    )
    differences = [
        f"{role}: expected {want}, got {got}"
        for role, want, got in zip(matrix.ROLES, expected.split(), observed, strict=True)
        if want != got and PENDING not in (want, got)
    ]
    assert differences == [], f"{key}: " + "; ".join(differences)


_RECORDED: dict[str, str] = {}


# The tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), _page_cases())
def test_every_page_answers_every_role_as_the_matrix_says(city, db, route, method):
    url = page_url(route, city)
    observed = [_request(city.clients.get(role), method, url) for role in matrix.ROLES]
    _compare(f"{method} /{route}", matrix.PAGES.get(route, {}).get(method), observed)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_answers_every_role_as_the_matrix_says(city, db, operation):
    method, path = OPERATIONS[operation]
    url = _api_url(path, city)
    client = Client(raise_request_exception=False)
    observed = [
        _request(client if role in city.api_headers else None, method, url,
                 **city.api_headers.get(role, {}))
        for role in matrix.ROLES
    ]  # fmt: skip
    _compare(operation, matrix.OPERATIONS.get(operation), observed)


def test_every_api_route_is_in_the_schema():
    schema_paths = {path.lstrip("/") for _method, path in OPERATIONS.values()}
    documented = {re.sub(r"\{\w+\}", "*", path) for path in schema_paths}
    routes = {_CONVERTER.sub("*", route) for route in API_ROUTES}
    assert routes - documented == set()


def test_the_matrix_has_no_row_for_a_url_or_operation_that_is_gone():
    assert set(matrix.PAGES) - set(PAGE_ROUTES) == set()
    assert set(matrix.OPERATIONS) - set(OPERATIONS) == set()


def test_the_matrix_size_is_recorded(record_testsuite_property):
    pages = sum(len(methods) for methods in matrix.PAGES.values())
    size = (
        f"{len(matrix.PAGES)} pages ({pages} page requests) x {len(matrix.ROLES)} roles ="
        f" {pages * len(matrix.ROLES)}; {len(matrix.OPERATIONS)} operations x"
        f" {len(matrix.ROLES)} roles = {len(matrix.OPERATIONS) * len(matrix.ROLES)}"
    )
    record_testsuite_property("authorisation_matrix", size)
    print(f"\nauthorisation matrix: {size}")
    assert size == matrix.SIZE


@pytest.fixture(scope="module", autouse=True)
def _write_recorded_matrix():
    yield
    if RECORD and _RECORDED:
        _matrix_write(_RECORDED)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _matrix_write(rows: dict[str, str]) -> None:
    pages: dict[str, dict[str, str]] = {}
    operations: dict[str, str] = {}
    for key, row in rows.items():
        method, separator, route = key.partition(" /")
        if separator:
            pages.setdefault(route, {})[method] = row
        else:
            operations[key] = row
    text = MATRIX_FILE.read_text(encoding="utf-8")
    head = text[: text.index("PAGES: dict")]
    lines = [head.rstrip("\n"), "", "PAGES: dict[str, dict[str, str]] = {"]
    for route in sorted(pages):
        lines.append(f"    {_quoted(route)}: {{")
        lines += [f'        "{method}": "{row}",' for method, row in sorted(pages[route].items())]
        lines.append("    },")
    lines += ["}", "", "OPERATIONS: dict[str, str] = {"]
    lines += [f'    "{name}": "{row}",' for name, row in sorted(operations.items())]
    lines += ["}", ""]
    page_requests = sum(len(methods) for methods in pages.values())
    roles = len(matrix.ROLES)
    size = (
        f"{len(pages)} pages ({page_requests} page requests) x {roles} roles ="
        f" {page_requests * roles}; {len(operations)} operations x {roles} roles ="
        f" {len(operations) * roles}"
    )
    lines += [f"SIZE = {_quoted(size)}", ""]
    MATRIX_FILE.write_text("\n".join(lines), encoding="utf-8")
