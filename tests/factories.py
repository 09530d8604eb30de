"""Factories for the domain: valid identifiers, an active template, a competent department."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from commitments.models import CommitmentTemplate, ObligationRule, VerificationMethod
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
from workflows.verification.models import Delegation, RiskGrade, SamplingDraw, SamplingPolicy

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


class DelegationFactory(factory.django.DjangoModelFactory):
    """An absence in force now, recorded as the service would (not applied to tasks)."""

    class Meta:
        model = Delegation

    department = factory.SubFactory(DepartmentFactory)
    delegator = factory.SubFactory(UserFactory)
    delegate = factory.SubFactory(UserFactory)
    starts = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    ends = factory.LazyAttribute(lambda d: d.starts + datetime.timedelta(days=5))
    reason = "annual leave"
    created_by = factory.SelfAttribute("delegator")

    class Params:
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))


class SamplingPolicyFactory(factory.django.DjangoModelFactory):
    """Spot-check ratios of a risk grade from a date (the seeded ones start on 2020-01-01)."""

    class Meta:
        model = SamplingPolicy
        django_get_or_create = ("grade", "effective_from")

    grade = RiskGrade.B
    ratio_min = Decimal("0.05")
    ratio_max = Decimal("0.20")
    effective_from = datetime.date(2027, 1, 1)
    note = "differential supervision: spot-check ratio by risk grade"


class SamplingDrawFactory(factory.django.DjangoModelFactory):
    """A recorded draw that selected nothing (empty population), replayable as recorded."""

    class Meta:
        model = SamplingDraw

    department = factory.SubFactory(DepartmentFactory)
    seed = factory.Sequence(lambda n: f"seed-{n}")
    inputs = factory.LazyFunction(
        lambda: {"department": "", "matter": None, "ungraded": 0, "grades": {}}
    )
    selected = factory.LazyFunction(dict)
    drawn_by = factory.SubFactory(UserFactory)
    drawn_at = factory.LazyFunction(timezone.now)
