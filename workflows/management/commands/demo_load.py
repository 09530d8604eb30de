"""``manage.py demo_load``: a small Shenzhen to try Chengnuo with, loaded idempotently.

Regions, two departments, two matters and who is competent for them, an active
inform-and-commit template for the food-business permit, the demo people with known
passwords, a system user with an API token, an open tender that takes bidding pledges and,
when the workflow is available, one commitment already signed and under verification.
Running it again changes nothing that exists (passwords are reset to the demo ones, so the
printed logins always work).

It lives in ``workflows`` because it may start a verification flow, and only ``workflows``
may import the flows (nothing imports ``workflows``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from access.models import ApiToken
from access.services import token_issue, token_revoke
from commitments.catalogue.models import CommitmentTemplate, ObligationRule
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.commitments import commitment_create
from commitments.lifecycle.services.representation import representation_letter_upload
from commitments.pledges.models import Tender
from commitments.pledges.services import pledge_template, tender_create
from credit.check.models import CallingSystem
from credit.check.services import calling_system_register
from directory.errors import DomainError
from directory.models import (
    Competence,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    Subject,
)
from directory.representation.models import Representation
from directory.representation.services import representation_letter_review, subject_claim
from directory.translation import both_languages
from signing.render.letter import render_authorisation_letter
from workflows.management.demo_association import association_demo_load
from workflows.management.demo_data import (
    DEMO_FIELDS,
    DEMO_TENDER,
    DEPARTMENTS,
    FOOD_OBLIGATIONS,
    FOOD_TEMPLATE,
    FOOD_TEMPLATE_EN,
    MATTERS,
    REGIONS,
)
from workflows.management.demo_kinds import VOLUNTARY_CODE, load_kind_templates
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.assignment import least_loaded_member
from workflows.verification.services.submission import commitment_submit

PUBLIC_FIELDS = {"premises": "深圳市南山区科技园南区示例路1号", "scope": "热食类食品制售"}
SUBJECT_CODE = "914403001922038216"
SUBJECT_NAME = "深圳市示例餐饮有限公司"
FOOD_TEMPLATE_CODE = "food-business-permit-commitment"
FOOD_DEPARTMENT = "sz-amr"  # competent for the food-business permit in 深圳市
API_USERNAME = "api-system"
API_SYSTEM_CODE = "demo-approval-system"
API_SYSTEM_NAME = "深圳市行政审批系统（示例）"

# (username, password, what the person is) — printed by ``--logins``.
LOGINS: list[tuple[str, str, str]] = [
    ("applicant", "applicant-demo", f"applicant for {SUBJECT_NAME} ({SUBJECT_CODE})"),
    ("regulator", "regulator-demo", "regulator, 深圳市市场监督管理局 (sz-amr)"),
    ("regulator2", "regulator2-demo", "second regulator, sz-amr"),
    ("supervisor", "supervisor-demo", "supervisor, sz-amr"),
    (
        "housing",
        "housing-demo",
        "regulator and tendering authority, 深圳市住房和建设局 (sz-housing)",
    ),
    ("association", "association-demo", "officer, 深圳市餐饮行业协会 (sz-catering)"),
    ("admin", "admin-demo", "superuser (/admin/)"),
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo logins and the API token."
        )
        parser.add_argument(
            "--no-logins", action="store_true", help="Load without printing the logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CHENGNUO_DEMO_DATA:
            raise CommandError(
                "The demo data creates accounts with published passwords (admin / admin-demo …) "
                "and is only for the embedded default (config.settings.local) and the tests. "
                "These settings do not allow it (CHENGNUO_DEMO_DATA is off); nothing was changed."
            )
        if options["logins"]:
            self._print_logins()
            return
        with transaction.atomic():
            users, subject = self._load_reference_data()
            self._load_demo_tender(users["housing"])
        self._load_demo_commitment(applicant=users["applicant"], subject=subject)
        with transaction.atomic():
            association_demo_load(
                officer=self._user("association", "association-demo"),
                subject=subject,
                matter=Matter.objects.get(code="food-business-permit"),
            )
        if not options["no_logins"]:
            self._print_logins()

    # Reference data -----------------------------------------------------------------------

    def _load_reference_data(self) -> tuple[dict, Subject]:
        regions: dict[str, Region] = {}
        for code, name, parent in REGIONS:
            regions[code], _ = Region.objects.get_or_create(
                code=code, defaults={**both_languages(name=name), "parent": regions.get(parent)}
            )
        departments: dict[str, Department] = {}
        for code, name, region in DEPARTMENTS:
            departments[code], _ = Department.objects.get_or_create(
                code=code, defaults={**both_languages(name=name), "region": regions[region]}
            )
        matters: dict[str, Matter] = {}
        for code, name, legal_basis, department in MATTERS:
            matters[code], _ = Matter.objects.get_or_create(
                code=code, defaults=both_languages(name=name, legal_basis=legal_basis)
            )
            Competence.objects.get_or_create(
                matter=matters[code],
                region=regions["440300"],
                defaults={"department": departments[department]},
            )
        self._load_food_template(matters["food-business-permit"])

        users = {username: self._user(username, password) for username, password, _ in LOGINS}
        admin = users["admin"]
        if not (admin.is_staff and admin.is_superuser):
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])
        load_kind_templates(matter=matters["food-business-permit"], by=admin)
        for username, department, role in [
            ("regulator", "sz-amr", RegulatorMembership.Role.REGULATOR),
            ("regulator2", "sz-amr", RegulatorMembership.Role.REGULATOR),
            ("supervisor", "sz-amr", RegulatorMembership.Role.SUPERVISOR),
            ("housing", "sz-housing", RegulatorMembership.Role.REGULATOR),
        ]:
            RegulatorMembership.objects.get_or_create(
                user=users[username],
                department=departments[department],
                defaults={"role": role},
            )
        self._load_calling_system()

        subject = self._load_representation(applicant=users["applicant"], officer=admin)
        return users, subject

    def _load_representation(self, *, applicant, officer) -> Subject:
        """The applicant proves it represents the demo company the way a real one may: it
        claims the code, uploads an authorisation letter, and the demo officer approves it."""
        claim = subject_claim(
            user=applicant, kind=Subject.Kind.COMPANY, code=SUBJECT_CODE, name=SUBJECT_NAME
        )
        if claim.status == Representation.Status.CLAIMED:
            claim = representation_letter_upload(
                user=applicant,
                code=SUBJECT_CODE,
                role=Representation.Role.LEGAL_REPRESENTATIVE,
                data=render_authorisation_letter(
                    code=SUBJECT_CODE,
                    representative=applicant.get_username(),
                    role="legal representative",
                ),
                filename="demo-authorisation-letter.pdf",
            )
        if claim.status == Representation.Status.PENDING_REVIEW:
            representation_letter_review(
                representation=claim,
                by=officer,
                is_approved=True,
                reason="demo: letter checked against the business licence",
            )
        return claim.subject

    def _load_food_template(self, matter: Matter) -> CommitmentTemplate:
        """The template has no service: created through the ORM, activated by its transition."""
        template, _ = CommitmentTemplate.objects.get_or_create(
            code=FOOD_TEMPLATE_CODE,
            version=FOOD_TEMPLATE["version"],
            defaults={
                "matter": matter,
                **{k: v for k, v in FOOD_TEMPLATE.items() if k != "version"},
                **both_languages(
                    **{
                        key: (FOOD_TEMPLATE[key], english)
                        for key, english in FOOD_TEMPLATE_EN.items()
                    }
                ),
            },
        )
        for position, title, description, deadline, unit in FOOD_OBLIGATIONS:
            ObligationRule.objects.get_or_create(
                template=template,
                position=position,
                defaults={
                    **both_languages(title=title, description=description),
                    "deadline": deadline,
                    "deadline_unit": unit,
                },
            )
        if template.status == CommitmentTemplate.Status.DRAFT:
            template.activate()
            template.save()
        return template

    def _user(self, username: str, password: str):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.test"}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    # An example commitment ---------------------------------------------------------------

    def _load_demo_tender(self, authority) -> None:
        """An open tender of sz-housing, so an applicant can pledge in place of a deposit."""
        Competence.objects.get_or_create(
            matter=pledge_template().matter,
            region=Region.objects.get(code="440300"),
            defaults={"department": Department.objects.get(code="sz-housing")},
        )
        if Tender.objects.filter(reference=DEMO_TENDER["reference"]).exists():
            return
        deadline = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
        tender_create(
            by=authority,
            department=Department.objects.get(code="sz-housing"),
            bid_deadline=deadline + datetime.timedelta(days=30),
            **DEMO_TENDER,
        )

    def _load_demo_commitment(self, *, applicant, subject: Subject) -> None:
        """One commitment signed and under verification, so the regulator's queue is not
        empty. Skipped with a message when signing refuses."""
        if (
            Commitment.objects.filter(
                subject=subject, field_values__premises=DEMO_FIELDS["premises"]
            )
            .exclude(status=Commitment.Status.DRAFT)
            .exists()
        ):
            return
        template = CommitmentTemplate.objects.get(
            code=FOOD_TEMPLATE_CODE, version=FOOD_TEMPLATE["version"]
        )
        try:
            draft = Commitment.objects.filter(
                subject=subject,
                status=Commitment.Status.DRAFT,
                field_values__premises=DEMO_FIELDS["premises"],
            ).first() or commitment_create(
                by=applicant, subject=subject, template=template, field_values=DEMO_FIELDS
            )
            commitment_submit(commitment=draft, by=applicant)
        except DomainError as error:
            self.stderr.write(f"The demo commitment was not submitted: {error.message}")
            return
        draft.refresh_from_db()
        self.stdout.write(f"Demo commitment {draft.reference}: {draft.get_status_display()}")
        self._load_demo_public_commitment(applicant=applicant, subject=subject)

    def _load_demo_public_commitment(self, *, applicant, subject: Subject) -> None:
        """One voluntary public commitment signed, so the portal shows one for its term."""
        template = CommitmentTemplate.objects.get(code=VOLUNTARY_CODE, version=1)
        if Commitment.objects.filter(subject=subject, template=template).exists():
            return
        try:
            draft = commitment_create(
                by=applicant, subject=subject, template=template, field_values=PUBLIC_FIELDS
            )
            commitment_submit(commitment=draft, by=applicant)
        except DomainError as error:
            self.stderr.write(f"The demo public commitment was not signed: {error.message}")

    def _load_calling_system(self) -> None:
        """``api-system``: a calling system, so its printed token may "check every case"."""
        if not CallingSystem.objects.filter(user__username=API_USERNAME).exists():
            if get_user_model().objects.filter(username=API_USERNAME).exists():
                # an earlier demo made the user alone: it becomes the system's user
                CallingSystem.objects.create(
                    code=API_SYSTEM_CODE,
                    name=API_SYSTEM_NAME,
                    user=get_user_model().objects.get(username=API_USERNAME),
                )
            else:
                calling_system_register(
                    code=API_SYSTEM_CODE, name=API_SYSTEM_NAME, username=API_USERNAME, by=None
                )
        api_user = get_user_model().objects.get(username=API_USERNAME)
        if api_user.has_usable_password():
            api_user.set_unusable_password()
            api_user.save(update_fields=["password"])

    def _demo_token(self) -> str:
        """A fresh token for ``api-system``, its earlier demo tokens revoked.

        Only a token's digest is stored, so the secret can be printed only when it is issued:
        each printing issues one, and the one printed before stops working.
        """
        api_user = get_user_model().objects.get(username=API_USERNAME)
        now = timezone.now()
        for token in ApiToken.objects.filter(user=api_user).valid(at=now):
            token_revoke(token=token, by=None, reason="demo token printed again", at=now)
        return token_issue(user=api_user, name="demo", by=None, at=now).secret

    # Output -------------------------------------------------------------------------------

    def _print_logins(self) -> None:
        width = max(len(u) for u, _, _ in LOGINS)
        self.stdout.write(self.style.SUCCESS("Demo logins (username / password):"))
        for username, password, role in LOGINS:
            self.stdout.write(f"  {username:<{width}}  {password:<16}  {role}")
        if get_user_model().objects.filter(username=API_USERNAME).exists():
            self.stdout.write(
                f"  API token of {API_USERNAME}: {self._demo_token()}"
                "  (header: Authorization: Token <key>)"
            )
        following = self._next_regulator()
        if following:
            self.stdout.write(
                f"A commitment signed now goes to {following}: each new commitment goes to the "
                f"{FOOD_DEPARTMENT} regulator with the fewest open verification tasks (ties: the "
                "older account), so log in as that regulator to find it in 'My tasks'; "
                "the supervisor sees every task under 'Team'."
            )

    def _next_regulator(self) -> str:
        """The regulator a food-business commitment signed now would be assigned to, by the
        flow's own rule (``least_loaded_member``); empty when there is none."""
        department = Department.objects.filter(code=FOOD_DEPARTMENT).first()
        if department is None:
            return ""
        with transaction.atomic():  # the choice takes the department's assignment lock
            regulator = least_loaded_member(
                department=department,
                role=RegulatorMembership.Role.REGULATOR,
                flow_tasks=InformCommitFlow.human_task_refs(),
            )
        return regulator.get_username() if regulator is not None else ""
