"""Factories for the domain: valid identifiers, an active template, a competent department,
credit records, and the repair and objection cases filed against them."""

from __future__ import annotations

import random
from datetime import date

import factory
from django.contrib.auth import get_user_model

from commitments.models import Commitment, CommitmentTemplate, ObligationRule, VerificationMethod
from commitments.services.credit_templates import active_template
from credit import selectors as credit_selectors
from credit.models import Breach, BreachCategory, Severity
from credit.rules import publicity_window
from directory.calendar import add_working_days
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
from workflows.repair.models import Objection, RepairApplication

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


# Credit records and the cases filed against them ---------------------------------------------


class BreachFactory(factory.django.DjangoModelFactory[Breach]):
    """A published serious record of a missed obligation, recorded on 2026-04-01 under the rule
    set then in force (NDRC Order 36: repairable from 2027-04-01); ``order_58`` records it on
    2026-03-31 (Order 58: repairable after 3 months)."""

    class Meta:
        model = Breach

    class Params:
        publicity_rule = factory.LazyAttribute(
            lambda o: credit_selectors.publicity_rule_for(
                rule_set=o.rule_set, severity=o.severity, group=o.category.publicity_group
            )
        )
        window = factory.LazyAttribute(
            lambda o: publicity_window(
                record_date=o.record_date,
                is_published=o.publicity_rule.is_published,
                min_months=o.publicity_rule.min_months,
                max_months=o.publicity_rule.max_months,
            )
        )
        order_58 = factory.Trait(record_date=date(2026, 3, 31))

    subject = factory.SubFactory(SubjectFactory)
    department = factory.SubFactory(DepartmentFactory)
    category = factory.LazyFunction(lambda: BreachCategory.objects.get(code="missed_obligation"))
    legal_basis = factory.SelfAttribute("category.legal_basis")
    severity = Severity.SERIOUS
    record_date = date(2026, 4, 1)
    rule_set = factory.LazyAttribute(
        lambda o: credit_selectors.rule_set_in_force(on=o.record_date, domain=o.category.domain)
    )
    is_publishable = factory.SelfAttribute("window.is_publishable")
    publicity_starts = factory.SelfAttribute("window.starts")
    publicity_min_until = factory.SelfAttribute("window.min_until")
    publicity_max_until = factory.SelfAttribute("window.max_until")
    reason = "未按期提交整改报告"
    recorded_by = factory.SubFactory(UserFactory)
    status = Breach.Status.PUBLISHED


class RepairApplicationFactory(factory.django.DjangoModelFactory[RepairApplication]):
    """A submitted application to repair an Order 58 record (eligible), filed on 2026-12-01
    with its public repair commitment (a row of the repair template: nothing is signed), due
    for decision in 3 and for feedback in 10 working days; ``granted`` / ``refused`` decided.
    """

    class Meta:
        model = RepairApplication

    breach = factory.SubFactory(BreachFactory, order_58=True)
    subject = factory.SelfAttribute("breach.subject")
    department = factory.SelfAttribute("breach.department")
    submitted_by = factory.SubFactory(UserFactory)
    commitment = factory.LazyAttributeSequence(
        lambda o, n: Commitment.objects.create(
            reference=f"REPAIR-{n:06d}",
            template=active_template(CommitmentTemplate.Kind.CREDIT_REPAIR),
            subject=o.subject,
            region=o.subject.region,
            created_by=o.submitted_by,
            field_values={"breach": str(o.breach.pk), "correction": o.statement},
        )
    )
    statement = "已缴清罚款并提交整改报告"
    submitted_on = date(2026, 12, 1)
    feedback_due = factory.LazyAttribute(lambda o: o.feedback.due_date)
    decision_due = factory.LazyAttribute(lambda o: o.decision.due_date)
    due_basis = factory.LazyAttribute(
        lambda o: {"feedback": o.feedback.as_basis(), "decision": o.decision.as_basis()}
    )
    status = RepairApplication.Status.SUBMITTED

    class Params:
        feedback = factory.LazyAttribute(lambda o: add_working_days(o.submitted_on, 10))
        decision = factory.LazyAttribute(lambda o: add_working_days(o.submitted_on, 3))
        granted = factory.Trait(
            status=RepairApplication.Status.GRANTED,
            decided_by=factory.SubFactory(UserFactory),
            decided_on=date(2026, 12, 3),
            decision_reason="Repair granted.",
        )
        refused = factory.Trait(
            status=RepairApplication.Status.REFUSED,
            decided_by=factory.SubFactory(UserFactory),
            decided_on=date(2026, 12, 3),
            decision_reason="整改报告未盖章",
        )


class ObjectionFactory(factory.django.DjangoModelFactory[Objection]):
    """An open objection to a record's content, filed and marked on 2026-12-01, to be
    forwarded by 2026-12-03 or decided by 2026-12-08; ``forwarded`` to another department,
    ``rejected`` decided."""

    class Meta:
        model = Objection

    breach = factory.SubFactory(BreachFactory, status=Breach.Status.UNDER_OBJECTION)
    subject = factory.SelfAttribute("breach.subject")
    department = factory.SelfAttribute("breach.department")
    kind = Objection.Kind.CONTENT
    grounds = "整改报告已按期提交，有回执为证"
    filed_by = factory.SubFactory(UserFactory)
    filed_on = date(2026, 12, 1)
    breach_status_before = Breach.Status.PUBLISHED
    marked_on = date(2026, 12, 1)
    decision_due = date(2026, 12, 8)
    forward_due = date(2026, 12, 3)
    status = Objection.Status.OPEN

    class Params:
        forwarded = factory.Trait(
            status=Objection.Status.FORWARDED,
            forwarded_on=date(2026, 12, 2),
            forwarded_by=factory.SubFactory(UserFactory),
            forwarded_from=factory.SelfAttribute("breach.department"),
            department=factory.SubFactory(DepartmentFactory),
            forward_reason="该记录由住房和建设局提供",
            decision_due=date(2026, 12, 9),
        )
        rejected = factory.Trait(
            status=Objection.Status.REJECTED,
            decided_by=factory.SubFactory(UserFactory),
            decided_on=date(2026, 12, 3),
            decision_reason="回执日期晚于期限",
        )
