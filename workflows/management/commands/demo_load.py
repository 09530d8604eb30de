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
from commitments.catalogue.models import CommitmentTemplate, ObligationRule, VerificationMethod
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
    DeadlineUnit,
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
from workflows.verification.flows import InformCommitFlow
from workflows.verification.services.assignment import least_loaded_member
from workflows.verification.services.submission import commitment_submit

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
    ("admin", "admin-demo", "superuser (/admin/)"),
]

DEMO_TENDER = {
    "reference": "SZ-ZB-2026-DEMO-01",
    "title": "南山区学校食堂配餐服务采购",
    "deposit_amount": "80000.00",
}

REGIONS = [  # code, (name in Chinese, in English), parent code
    ("440000", ("广东省", "Guangdong Province"), None),
    ("440300", ("深圳市", "Shenzhen"), "440000"),
    ("440305", ("南山区", "Nanshan District"), "440300"),
]
DEPARTMENTS = [  # code, (name in Chinese, in English), region code
    ("sz-amr", ("深圳市市场监督管理局", "Shenzhen Administration for Market Regulation"), "440300"),
    (
        "sz-housing",
        ("深圳市住房和建设局", "Shenzhen Housing and Construction Bureau"),
        "440300",
    ),
]
MATTERS = [  # code, name, legal basis (each in Chinese and English), competent department
    (
        "food-business-permit",
        ("食品经营许可", "Food business permit"),
        (
            "《中华人民共和国食品安全法》第三十五条",
            "Article 35 of the Food Safety Law of the People's Republic of China",
        ),
        "sz-amr",
    ),
    (
        "construction-permit",
        ("建筑工程施工许可", "Construction permit"),
        (
            "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
            "Articles 7 and 8 of the Construction Law of the People's Republic of China; "
            "Measures for the administration of construction permits",
        ),
        "sz-housing",
    ),
]

FOOD_TEMPLATE = {
    "version": 1,
    "kind": CommitmentTemplate.Kind.INFORM_AND_COMMIT,
    "title": "食品经营许可告知承诺书",
    "notice_legal_basis": (
        "事项名称：食品经营许可（告知承诺制）。设定依据：《中华人民共和国食品安全法》第三十五条"
        "“国家对食品生产经营实行许可制度”；《食品经营许可和备案管理办法》。"
    ),
    "notice_conditions": (
        "申请人应当具备下列条件：（一）具有与经营的食品品种、数量相适应的食品原料处理和食品"
        "加工、销售、贮存等场所，保持该场所环境整洁，并与有毒、有害场所以及其他污染源保持"
        "规定的距离；（二）具有与经营的食品品种、数量相适应的经营设备或者设施；（三）有专职"
        "或者兼职的食品安全管理人员和保证食品安全的规章制度；（四）具有合理的设备布局和工艺"
        "流程，防止待加工食品与直接入口食品、原料与成品交叉污染。"
    ),
    "notice_waived_proof": (
        "申请人作出承诺后，审批机关不再要求提交：经营场所合法使用的有关证明材料；食品安全"
        "管理人员培训合格证明；与食品安全相关的设备设施布局和操作流程说明。"
    ),
    "notice_liability": (
        "申请人作出不实承诺或者未履行承诺的，审批机关将依法撤销食品经营许可，责令限期整改，"
        "并依法予以处罚；不实承诺记入申请人信用记录，申请人在信用修复前不得再适用告知承诺制，"
        "构成犯罪的，依法追究刑事责任。"
    ),
    "notice_verification": (
        "审批机关自作出许可决定之日起30个工作日内，对申请人的承诺内容进行现场核查，申请人应当"
        "予以配合；核查可结合信用风险分类实施差异化抽查。"
    ),
    "notice_publicity": (
        "承诺书及核查结果将在“信用中国（广东深圳）”网站公示，公示期一年；涉及个人信息的内容"
        "依法不予公开。"
    ),
    "commitment_text": (
        "本单位已知晓上述告知内容，承诺所填报的信息真实、准确、完整，已经符合食品经营许可的"
        "条件，并将在规定期限内提交相关材料；愿意接受审批机关的核查，承诺不实或者未履行承诺的，"
        "愿意承担相应的法律责任。"
    ),
    "fields": [
        {
            "name": "premises",
            "label": "经营场所",
            "label_en": "Premises",
            "required": True,
            "max_length": 200,
        },
        {
            "name": "scope",
            "label": "经营项目",
            "label_en": "Business scope",
            "required": True,
            "max_length": 200,
        },
        {
            "name": "person_in_charge",
            "label": "负责人",
            "label_en": "Person in charge",
            "required": True,
            "max_length": 50,
        },
    ],
    "verification_method": VerificationMethod.ON_SITE,
    "verification_window": 30,
    "verification_window_unit": DeadlineUnit.WORKING_DAYS,
    "publicity_days": 365,
}
# The template's texts in English, beside the Chinese above (ADR 0015).
FOOD_TEMPLATE_EN = {
    "title": "Inform-and-commit letter for a food business permit",
    "notice_legal_basis": (
        "Matter: food business permit (inform-and-commit). Basis: Article 35 of the Food Safety "
        "Law of the People's Republic of China, \"the State applies a licensing system to food "
        'production and trade"; Measures for the administration of food business permits and '
        "filings."
    ),
    "notice_conditions": (
        "The applicant shall have: (1) premises for handling, processing, selling and storing "
        "food suited to the kinds and quantities traded, kept clean and at the required distance "
        "from toxic or harmful places and other sources of pollution; (2) equipment or "
        "facilities suited to the kinds and quantities traded; (3) full-time or part-time food "
        "safety managers and rules that ensure food safety; (4) a sensible layout of equipment "
        "and process that prevents cross-contamination between food to be processed and "
        "ready-to-eat food, and between raw materials and finished products."
    ),
    "notice_waived_proof": (
        "Once the applicant commits, the approving authority no longer requires: proof that the "
        "premises are lawfully used; the food safety managers' training certificates; a "
        "description of the layout of food-safety equipment and of the working process."
    ),
    "notice_liability": (
        "If the applicant commits falsely or does not perform the commitment, the approving "
        "authority will revoke the food business permit, order corrections within a time limit "
        "and impose penalties according to law; a false commitment is entered in the "
        "applicant's credit record and the applicant may not use inform-and-commit again until "
        "the record is repaired; criminal liability is pursued where a crime is committed."
    ),
    "notice_verification": (
        "Within 30 working days of the permit decision the approving authority verifies the "
        "commitment on site, and the applicant shall cooperate; checks may be differentiated by "
        "credit risk class."
    ),
    "notice_publicity": (
        'The commitment and the result of its verification are published on the "Credit China '
        '(Guangdong Shenzhen)" website for one year; personal information is not published.'
    ),
    "commitment_text": (
        "We have read the notice above and commit that the information we give is true, "
        "accurate and complete, that we already meet the conditions for a food business permit "
        "and that we will submit the materials within the time limits; we accept verification "
        "by the approving authority and bear the legal liability if the commitment is false or "
        "not performed."
    ),
}
FOOD_OBLIGATIONS = [  # position, title, description (each in Chinese and English), deadline, unit
    (
        1,
        ("提交经营场所合法使用的证明材料", "Submit proof that the premises are lawfully used"),
        ("上传房屋产权证明或者租赁合同。", "Upload the title deed or the lease of the premises."),
        20,
        DeadlineUnit.WORKING_DAYS,
    ),
    (
        2,
        (
            "提交食品安全管理人员培训合格证明",
            "Submit the food safety managers' training certificates",
        ),
        (
            "上传食品安全管理人员的培训考核合格证明。",
            "Upload the certificates that the food safety managers passed their training.",
        ),
        30,
        DeadlineUnit.CALENDAR_DAYS,
    ),
]
DEMO_FIELDS = {
    "premises": "深圳市南山区科技园南区示例路1号101室",
    "scope": "热食类食品制售；冷食类食品制售",
    "person_in_charge": "张三",
}


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
