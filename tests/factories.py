"""Factories for the domain: valid identifiers, an active template, a competent department,
commitments and their obligations, warnings, extensions and performance reports."""

from __future__ import annotations

import datetime
import hashlib
import random
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from commitments.models import Commitment, CommitmentTemplate, ObligationRule, VerificationMethod
from commitments.obligations.models import (
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from directory.calendar import deadline_after
from directory.identifiers import USCC_ALPHABET, uscc_check_character
from directory.models import (
    Competence,
    DeadlineUnit,
    Department,
    Matter,
    Region,
    RegulatorMembership,
    Subject,
    SubjectRepresentative,
)

_rng = random.Random(20261122)


def make_uscc(division: str = "440300") -> str:
    body = "91" + division + "".join(_rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("pw-12345678")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "440300"
    name = "深圳市"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"市场监督管理局{n}")
    region = factory.SubFactory(RegionFactory)


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Matter
        django_get_or_create = ("code",)

    code = "food-business-permit"
    name = "食品经营许可"
    legal_basis = "《中华人民共和国食品安全法》第三十五条"


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence

    matter = factory.SubFactory(MatterFactory)
    region = factory.SubFactory(RegionFactory)
    department = factory.SubFactory(DepartmentFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegulatorMembership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = RegulatorMembership.Role.REGULATOR

    class Params:
        supervisor = factory.Trait(role=RegulatorMembership.Role.SUPERVISOR)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        skip_postgeneration_save = True

    kind = Subject.Kind.COMPANY
    code = factory.LazyFunction(make_uscc)
    name = factory.Sequence(lambda n: f"深圳市示例餐饮有限公司{n}")
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def representative(self, create, extracted, **kwargs):
        if create and extracted is not None:
            SubjectRepresentative.objects.create(subject=self, user=extracted)


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentTemplate
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"food-permit-{n}")
    version = 1
    kind = CommitmentTemplate.Kind.INFORM_AND_COMMIT
    matter = factory.SubFactory(MatterFactory)
    title = "食品经营许可告知承诺书"
    notice_legal_basis = "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》"
    notice_conditions = "具有与经营的食品品种、数量相适应的经营场所和设施。"
    notice_waived_proof = "不再提交经营场所合法使用的有关证明材料。"
    notice_liability = "承诺不实的，撤销许可，记入信用记录，依法承担法律责任。"
    notice_verification = "审批机关在30个工作日内进行现场核查。"
    notice_publicity = "承诺书在信用网站公示，公示期一年。"
    commitment_text = "本单位承诺所填报信息真实、准确，已符合上述条件，愿意承担不实承诺的法律责任。"
    fields = factory.LazyFunction(
        lambda: [
            {"name": "premises", "label": "经营场所", "required": True, "max_length": 200},
            {"name": "scope", "label": "经营项目", "required": True, "max_length": 200},
        ]
    )
    verification_method = VerificationMethod.ON_SITE
    verification_window = 30
    verification_window_unit = DeadlineUnit.WORKING_DAYS
    publicity_days = 365
    status = CommitmentTemplate.Status.ACTIVE

    @factory.post_generation
    def obligations(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ObligationRule.objects.create(
                template=self,
                position=1,
                title="取得场所合法使用证明",
                deadline=20,
                deadline_unit=DeadlineUnit.WORKING_DAYS,
            )


class CommitmentFactory(factory.django.DjangoModelFactory[Commitment]):
    """A draft commitment of a represented subject under an active template."""

    class Meta:
        model = Commitment

    reference = factory.Sequence(lambda n: f"CN20260302F{n:07d}")
    template = factory.SubFactory(TemplateFactory)
    subject = factory.SubFactory(SubjectFactory)
    region = factory.SelfAttribute("subject.region")
    created_by = factory.SubFactory(UserFactory)
    field_values = factory.LazyFunction(
        lambda: {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}
    )


# Obligations and warnings ----------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ObligationFactory(factory.django.DjangoModelFactory[Obligation]):
    """A pending obligation under its template's first rule, its due date computed from
    ``signed_on`` on the official calendar as at signing."""

    class Meta:
        model = Obligation

    class Params:
        signed_on = datetime.date(2026, 3, 2)
        deadline = factory.LazyAttribute(
            lambda o: deadline_after(o.signed_on, o.rule.deadline, o.rule.deadline_unit)
        )
        fulfilled = factory.Trait(status=Obligation.Status.FULFILLED)
        breached = factory.Trait(status=Obligation.Status.BREACHED)

    commitment = factory.SubFactory(CommitmentFactory)
    rule = factory.LazyAttribute(lambda o: o.commitment.template.obligation_rules.first())
    title = factory.SelfAttribute("rule.title")
    due_date = factory.LazyAttribute(lambda o: o.deadline.due_date)
    due_basis = factory.LazyAttribute(lambda o: o.deadline.as_basis())
    status = Obligation.Status.PENDING


class WarningPolicyFactory(factory.django.DjangoModelFactory[WarningPolicy]):
    """Five working days of grace, then a general breach of a missed obligation."""

    class Meta:
        model = WarningPolicy

    template = factory.SubFactory(TemplateFactory)
    grace_period = 5
    grace_unit = DeadlineUnit.WORKING_DAYS
    records_breach = True
    breach_severity = "general"
    breach_category_code = "missed_obligation"

    class Params:
        warns_only = factory.Trait(records_breach=False)


class WarningStepFactory(factory.django.DjangoModelFactory[WarningStep]):
    """The applicant warned 7 working days before the due date by e-mail and in-app."""

    class Meta:
        model = WarningStep

    template = factory.SubFactory(TemplateFactory)
    relative = WarningStep.Relative.BEFORE
    offset = 7
    unit = DeadlineUnit.WORKING_DAYS
    audience = WarningStep.Audience.APPLICANT
    channels = factory.LazyFunction(lambda: ["email", "inapp"])

    class Params:
        on_the_day = factory.Trait(relative=WarningStep.Relative.AT, offset=0)
        past_due = factory.Trait(relative=WarningStep.Relative.AFTER, offset=1)
        regulator = factory.Trait(audience=WarningStep.Audience.REGULATOR)


class WarningScheduleFactory(factory.django.DjangoModelFactory[WarningSchedule]):
    """A pending ladder step of an obligation at 09:00 local on its due date; with
    ``breach``, the breach at the end of the obligation's due date."""

    class Meta:
        model = WarningSchedule

    obligation = factory.SubFactory(ObligationFactory)
    step = factory.SubFactory(
        WarningStepFactory,
        on_the_day=True,
        template=factory.SelfAttribute("..obligation.commitment.template"),
    )
    kind = WarningSchedule.Kind.WARNING
    due_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(
            o.obligation.due_date, datetime.time(9), tzinfo=ZoneInfo("Asia/Shanghai")
        )
    )
    status = WarningSchedule.Status.PENDING

    class Params:
        breach = factory.Trait(
            step=None,
            kind=WarningSchedule.Kind.BREACH,
            due_at=factory.LazyAttribute(
                lambda o: datetime.datetime.combine(
                    o.obligation.due_date,
                    datetime.time(23, 59, 59),
                    tzinfo=ZoneInfo("Asia/Shanghai"),
                )
            ),
        )


class DeadlineExtensionFactory(factory.django.DjangoModelFactory[DeadlineExtension]):
    """An officer's extension of an obligation's deadline by a month; with ``verification``,
    of the commitment's verification window instead."""

    class Meta:
        model = DeadlineExtension

    commitment = factory.SubFactory(CommitmentFactory)
    obligation = factory.SubFactory(
        ObligationFactory, commitment=factory.SelfAttribute("..commitment")
    )
    kind = DeadlineExtension.Kind.OBLIGATION
    previous_due = datetime.date(2026, 3, 30)
    new_due = datetime.date(2026, 4, 30)
    reason = "需补充材料"
    extended_by = factory.SubFactory(UserFactory)
    extended_at = factory.LazyFunction(timezone.now)

    class Params:
        verification = factory.Trait(obligation=None, kind=DeadlineExtension.Kind.VERIFICATION)


class PerformanceReportFactory(factory.django.DjangoModelFactory[PerformanceReport]):
    """A report awaiting review; ``accepted`` or ``rejected`` once an officer decided."""

    class Meta:
        model = PerformanceReport

    obligation = factory.SubFactory(ObligationFactory)
    text = "已取得场所使用证明"
    submitted_by = factory.SelfAttribute("obligation.commitment.created_by")
    submitted_at = factory.LazyFunction(timezone.now)
    status = PerformanceReport.Status.SUBMITTED

    class Params:
        accepted = factory.Trait(
            status=PerformanceReport.Status.ACCEPTED,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
        )
        rejected = factory.Trait(
            status=PerformanceReport.Status.REJECTED,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
            decision_note="证明文件不清晰",
        )


class PerformanceEvidenceFactory(factory.django.DjangoModelFactory[PerformanceEvidence]):
    """The row of a PDF evidence file, named by its SHA-256 as the service names it (the
    row only: nothing is written to storage)."""

    class Meta:
        model = PerformanceEvidence

    class Params:
        content = PDF_BYTES

    report = factory.SubFactory(PerformanceReportFactory)
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    file = factory.LazyAttribute(lambda o: f"evidence/{o.sha256[:2]}/{o.sha256}.pdf")
    original_name = "场所使用证明.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
