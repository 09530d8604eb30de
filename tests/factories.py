"""Factories for the domain: valid identifiers, an active template, a competent department,
commitments and findings, their obligations, warnings, extensions and performance reports,
tenders and bidding pledges, the credit record (rules, breaches, measures, lists, calling
systems and their checks), and the repair and objection cases filed against it."""

from __future__ import annotations

import datetime
import datetime as dt
import hashlib
import random
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from access.services import token_issue
from commitments.associations.models import (
    Association,
    AssociationMembership,
    AssociationOfficer,
    BulkIssue,
    BulkIssueRow,
    MemberReminder,
)
from commitments.catalogue.models import (
    CommitmentKind,
    CommitmentTemplate,
    ExemptionRule,
    ObligationRule,
    VerificationMethod,
)
from commitments.catalogue.services import active_template
from commitments.lifecycle.models import (
    Commitment,
    IssuedForm,
    RegistryEvent,
    SigningRequest,
    Verification,
    VerificationDetail,
    VerificationEvidence,
    VerificationExemption,
)
from commitments.obligations.models import (
    ApprovalConsequence,
    DeadlineExtension,
    Obligation,
    PerformanceEvidence,
    PerformanceReport,
    WarningPolicy,
    WarningSchedule,
    WarningStep,
)
from commitments.pledges.models import BidPledge, Tender
from credit.changes.models import ChangeSubscription, RecordChangeNotice
from credit.check.models import CallingSystem, CheckQuery
from credit.opendata.models import OpenDataDay, OpenDataDayFile, OpenDataEvent
from credit.opendata.services.events import EVENT_VERSION
from credit.record.models.base import Purpose, RuleDomain, Severity
from credit.record.models.breaches import Breach, BreachSourceKind, ListEntry, Measure
from credit.record.models.notices import RepairNotice
from credit.record.models.rules import (
    BreachCategory,
    ConsequenceRule,
    CreditList,
    GradeRule,
    MeasureType,
    PublicityRule,
    RepairRule,
    RuleSet,
)
from credit.record.rules import add_months
from credit.reports.models import CreditReport, SealedRepairNotice
from directory.calendar import add_working_days, deadline_after
from directory.identifiers import USCC_ALPHABET, mask_person_name, uscc_check_character
from directory.models import (
    CalendarYear,
    Competence,
    DeadlineUnit,
    Department,
    ExternalIdentity,
    Matter,
    Region,
    RegulatorMembership,
    RoutingRule,
    Subject,
    WorkingDayOverride,
)
from directory.partitions.models import PartitionEvent, RetentionPeriod
from directory.representation.models import Representation
from directory.translation import both_languages
from signing.models import SignedDocument
from signing.register.merkle import salted_digest
from signing.register.services import checkpoint_create
from workflows.lists.models import SavedListFilter
from workflows.management.demo_data import FOOD_TEMPLATE
from workflows.repair.models import Objection, RepairApplication, RepairProof
from workflows.verification.models import (
    Delegation,
    Rectification,
    RectificationEvidence,
    RiskGrade,
    SamplingDraw,
    SamplingPolicy,
)

_rng = random.Random(20261122)


def make_uscc(division: str = "440300") -> str:
    body = "91" + division + "".join(_rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


def api_token_secret(user, *, name: str = "test") -> str:
    """Issue an API token for ``user`` and return its secret (only its digest is stored)."""
    return token_issue(user=user, name=name, by=None).secret


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
    name_zh_hans = factory.SelfAttribute("name")
    name_en = "Shenzhen"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"市场监督管理局{n}")
    name_zh_hans = factory.SelfAttribute("name")
    name_en = factory.Sequence(lambda n: f"Administration for Market Regulation {n}")
    region = factory.SubFactory(RegionFactory)


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Matter
        django_get_or_create = ("code",)

    code = "food-business-permit"
    name = "食品经营许可"
    legal_basis = "《中华人民共和国食品安全法》第三十五条"
    name_zh_hans = factory.SelfAttribute("name")
    name_en = "Food business permit"
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Article 35 of the Food Safety Law of the People's Republic of China"


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
        """``representative=user``: the user provenly represents the subject (a legal
        representative whose letter an officer approved)."""
        if create and extracted is not None:
            RepresentativeFactory(subject=self, user=extracted)


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
    title_zh_hans = factory.SelfAttribute("title")
    notice_legal_basis_zh_hans = factory.SelfAttribute("notice_legal_basis")
    notice_conditions_zh_hans = factory.SelfAttribute("notice_conditions")
    notice_waived_proof_zh_hans = factory.SelfAttribute("notice_waived_proof")
    notice_liability_zh_hans = factory.SelfAttribute("notice_liability")
    notice_verification_zh_hans = factory.SelfAttribute("notice_verification")
    notice_publicity_zh_hans = factory.SelfAttribute("notice_publicity")
    commitment_text_zh_hans = factory.SelfAttribute("commitment_text")
    title_en = "Inform-and-commit letter for a food business permit"
    notice_legal_basis_en = (
        "Article 35 of the Food Safety Law; Measures for the administration of food business "
        "permits and filings"
    )
    notice_conditions_en = "Premises and facilities suited to the kinds and quantities of food."
    notice_waived_proof_en = "Proof that the premises are lawfully used is no longer required."
    notice_liability_en = (
        "A false commitment revokes the permit, enters the credit record and bears legal liability."
    )
    notice_verification_en = "The approving authority verifies on site within 30 working days."
    notice_publicity_en = "The commitment is published on the credit website for one year."
    commitment_text_en = (
        "We commit that the information given is true and accurate, that we meet the conditions "
        "above, and that we bear the legal liability of a false commitment."
    )
    fields = factory.LazyFunction(lambda: [dict(spec) for spec in FOOD_TEMPLATE["fields"][:2]])
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
                **both_languages(
                    title=(
                        "取得场所合法使用证明",
                        "Obtain proof that the premises are lawfully used",
                    )
                ),
                deadline=20,
                deadline_unit=DeadlineUnit.WORKING_DAYS,
            )


class TenderFactory(factory.django.DjangoModelFactory):
    """A tender taking pledges until ten days from now."""

    class Meta:
        model = Tender
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"SZ-ZB-2026-{n:04d}")
    title = factory.Sequence(lambda n: f"南山区学校食堂配餐服务{n}")
    department = factory.SubFactory(DepartmentFactory)
    bid_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    deposit_amount = Decimal("80000.00")
    created_by = factory.SubFactory(UserFactory)


class BidPledgeFactory(factory.django.DjangoModelFactory):
    """A pledge for a tender, its commitment (of the bidding-pledge template, naming the
    tender) left a draft; traits for a released pledge and a breach with its notice."""

    class Meta:
        model = BidPledge

    tender = factory.SubFactory(TenderFactory)
    subject = factory.SubFactory(SubjectFactory)
    pledged_by = factory.SubFactory(UserFactory)
    pledged_at = factory.LazyFunction(timezone.now)
    commitment = factory.LazyAttributeSequence(
        lambda o, n: Commitment.objects.create(
            reference=f"PLEDGE-{n:06d}",
            template=active_template(CommitmentTemplate.Kind.BIDDING_PLEDGE),
            subject=o.subject,
            region=o.subject.region,
            created_by=o.pledged_by,
            field_values={"tender": o.tender.reference},
        )
    )
    status = BidPledge.Status.PLEDGED

    class Params:
        released = factory.Trait(
            status=BidPledge.Status.RELEASED,
            kept=BidPledge.Kept.LOST,
            outcome_by=factory.SubFactory(UserFactory),
        )
        noticed = factory.Trait(
            status=BidPledge.Status.NOTICED,
            outcome_by=factory.SubFactory(UserFactory),
            breach=BidPledge.Breach.NOT_SIGNED,
            amount_due=factory.SelfAttribute("tender.deposit_amount"),
            noticed_on=factory.LazyFunction(timezone.localdate),
            payment_due=factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14)),
        )


# The credit record ----------------------------------------------------------------------------


class RuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleSet
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"rule-set-{n}")
    name = factory.Sequence(lambda n: f"失信信息公示规则{n}")
    domain = RuleDomain.GENERAL
    legal_basis = "《失信行为纠正后的信用信息修复管理办法（试行）》"
    name_zh_hans = factory.SelfAttribute("name")
    name_en = factory.Sequence(lambda n: f"Rules on publishing dishonesty {n}")
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Measures for repairing credit information (trial)"
    effective_from = date(2026, 4, 1)

    class Params:
        market_regulation = factory.Trait(domain=RuleDomain.MARKET_REGULATION)


class PublicityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicityRule

    rule_set = factory.SubFactory(RuleSetFactory)
    severity = Severity.GENERAL
    min_months = 3
    max_months = 12

    class Params:
        unpublished = factory.Trait(is_published=False)


class BreachCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreachCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"失信行为{n}")
    legal_basis = "《中华人民共和国行政许可法》第六十九条"
    name_zh_hans = factory.SelfAttribute("name")
    name_en = factory.Sequence(lambda n: f"Dishonest conduct {n}")
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Article 69 of the Administrative Licensing Law"
    default_severity = Severity.GENERAL


class MeasureTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureType
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"measure-{n}")
    name = factory.Sequence(lambda n: f"信用扣分{n}")
    kind = MeasureType.Kind.POINT_DEDUCTION
    legal_basis = "《深圳市公共信用信息管理办法》"
    name_zh_hans = factory.SelfAttribute("name")
    name_en = factory.Sequence(lambda n: f"Credit point deduction {n}")
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Measures of Shenzhen on public credit information"

    class Params:
        no_commitment = factory.Trait(kind=MeasureType.Kind.NO_COMMITMENT)
        for_bids = factory.Trait(purposes=[Purpose.BID])


class ConsequenceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsequenceRule

    measure_type = factory.SubFactory(MeasureTypeFactory)
    severity = Severity.GENERAL
    points = 3


class CreditListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditList
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"list-{n}")
    name = factory.Sequence(lambda n: f"严重失信主体名单{n}")
    kind = CreditList.Kind.BLACK
    legal_basis = "《失信行为纠正后的信用信息修复管理办法（试行）》"
    entry_criteria = "扣分达到12分。"
    exit_criteria = "名单期限届满且记录已修复。"
    name_zh_hans = factory.SelfAttribute("name")
    name_en = factory.Sequence(lambda n: f"List of seriously dishonest subjects {n}")
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Measures for repairing credit information (trial)"
    entry_criteria_zh_hans = factory.SelfAttribute("entry_criteria")
    entry_criteria_en = "12 points deducted."
    exit_criteria_zh_hans = factory.SelfAttribute("exit_criteria")
    exit_criteria_en = "The listing period has passed and the record is repaired."
    notice_days = 10
    min_listing_months = 12

    class Params:
        red = factory.Trait(
            kind=CreditList.Kind.RED,
            name="守信激励名单",
            name_en="List of the trustworthy",
            notice_days=0,
            min_listing_months=None,
        )


class GradeRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeRule

    grade = GradeRule.Grade.A
    effective_from = date(2030, 1, 1)
    position = factory.Sequence(lambda n: n + 1)
    max_points = 0


class RepairRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairRule

    category = factory.SubFactory(BreachCategoryFactory)
    max_repairs = 1
    legal_basis = "《失信行为纠正后的信用信息修复管理办法（试行）》第八条"
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Article 8 of the Measures for repairing credit information (trial)"

    class Params:
        not_repairable = factory.Trait(is_repairable=False, max_repairs=None)


class BreachFactory(factory.django.DjangoModelFactory):
    """A general breach published for a year from its record date (as the services record one)."""

    class Meta:
        model = Breach

    subject = factory.SubFactory(SubjectFactory)
    category = factory.SubFactory(BreachCategoryFactory)
    legal_basis = factory.SelfAttribute("category.legal_basis")
    severity = Severity.GENERAL
    rule_set = factory.SubFactory(RuleSetFactory)
    record_date = date(2026, 6, 1)
    is_publishable = True
    publicity_starts = factory.SelfAttribute("record_date")
    publicity_min_until = factory.LazyAttribute(lambda b: add_months(b.record_date, 3))
    publicity_max_until = factory.LazyAttribute(lambda b: add_months(b.record_date, 12))
    reason = "未按承诺期限履行义务"
    recorded_by = factory.SubFactory(UserFactory)

    class Params:
        published = factory.Trait(status=Breach.Status.PUBLISHED)
        serious = factory.Trait(severity=Severity.SERIOUS)
        of_commitment = factory.Trait(
            source_kind=BreachSourceKind.COMMITMENT,
            source_id=factory.Sequence(lambda n: n + 1),
            source_reference=factory.Sequence(lambda n: f"CN-2026-{n:06d}"),
        )


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    breach = factory.SubFactory(BreachFactory)
    subject = factory.SelfAttribute("breach.subject")
    measure_type = factory.SubFactory(MeasureTypeFactory)
    points = 3
    starts_on = factory.SelfAttribute("breach.record_date")


class ListEntryFactory(factory.django.DjangoModelFactory):
    """A prior notice of black-listing; ``listed`` makes it a designation."""

    class Meta:
        model = ListEntry

    credit_list = factory.SubFactory(CreditListFactory)
    subject = factory.SubFactory(SubjectFactory)
    reason = "threshold reached: points deducted: 12"
    enter_not_before = date(2026, 6, 11)

    class Params:
        listed = factory.Trait(
            status=ListEntry.Status.LISTED,
            entered_on=date(2026, 6, 11),
            exit_not_before=date(2027, 6, 11),
        )


class CallingSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallingSystem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"system-{n}")
    name = factory.Sequence(lambda n: f"行政审批平台{n}")
    operator = "市政务服务数据管理局"
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..code"))


class CheckQueryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckQuery

    calling_system = factory.SubFactory(CallingSystemFactory)
    subject = factory.SubFactory(SubjectFactory)
    subject_code = factory.SelfAttribute("subject.code")
    purpose = Purpose.APPROVAL
    reason = "案卷 1"
    answer = factory.LazyFunction(lambda: {"found": True, "grade": "A"})


class RecordChangeNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordChangeNotice

    calling_system = factory.SubFactory(CallingSystemFactory)
    breach = factory.SubFactory(BreachFactory)
    change = RecordChangeNotice.Change.REPAIRED


class SignedDocumentFactory(factory.django.DjangoModelFactory[SignedDocument]):
    """A stored document's metadata only (no bytes): for reads, never for signature checks."""

    class Meta:
        model = SignedDocument

    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"document {n}".encode()).hexdigest())
    size = 1024


class CommitmentFactory(factory.django.DjangoModelFactory[Commitment]):
    """A draft commitment of a subject under an active template, made by its representative.

    Traits: ``signed`` (signed now, with a stored document's metadata), ``withdrawn``. The
    services make real ones (``commitment_create``, ``commitment_sign``); this is for reads.
    """

    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CN20260101T{n:07d}")
    template = factory.SubFactory(TemplateFactory)
    subject = factory.SubFactory(SubjectFactory)
    region = factory.SelfAttribute("subject.region")
    created_by = factory.SubFactory(UserFactory)
    field_values = factory.LazyFunction(
        lambda: {"premises": "深圳市南山区科技园1号", "scope": "热食类食品制售"}
    )

    class Params:
        signed = factory.Trait(
            status=Commitment.Status.SIGNED,
            signed_at=factory.LazyFunction(timezone.now),
            signed_by=factory.SelfAttribute("created_by"),
            signed_document=factory.SubFactory(SignedDocumentFactory),
        )
        withdrawn = factory.Trait(status=Commitment.Status.WITHDRAWN)


class VerificationFactory(factory.django.DjangoModelFactory[Verification]):
    """A regulator's finding of fulfilment on a signed commitment; ``breached`` with a reason."""

    class Meta:
        model = Verification

    commitment = factory.SubFactory(CommitmentFactory, signed=True)
    regulator = factory.SubFactory(UserFactory)
    method = VerificationMethod.ON_SITE
    finding = Verification.Finding.FULFILLED
    reason = ""
    verified_at = factory.LazyFunction(timezone.now)

    class Params:
        breached = factory.Trait(finding=Verification.Finding.BREACHED, reason="经营场所与承诺不符")


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
    title_zh_hans = factory.SelfAttribute("rule.title_zh_hans")
    title_en = factory.SelfAttribute("rule.title_en")
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


# Repair and objection cases -------------------------------------------------------------------


class RepairApplicationFactory(factory.django.DjangoModelFactory[RepairApplication]):
    """A submitted application to repair a published record past its minimum period, filed on
    2026-12-01 with its signed public repair commitment, due for decision in 3 and for
    feedback in 10 working days; ``granted`` / ``refused`` decided."""

    class Meta:
        model = RepairApplication

    breach = factory.SubFactory(BreachFactory, published=True)
    subject = factory.SelfAttribute("breach.subject")
    department = factory.SubFactory(DepartmentFactory)
    submitted_by = factory.SubFactory(UserFactory)
    commitment = factory.SubFactory(
        CommitmentFactory,
        signed=True,
        template=factory.LazyFunction(
            lambda: active_template(CommitmentTemplate.Kind.CREDIT_REPAIR)
        ),
        subject=factory.SelfAttribute("..subject"),
        created_by=factory.SelfAttribute("..submitted_by"),
        field_values=factory.LazyAttribute(
            lambda c: {
                "breach": str(c.factory_parent.breach.pk),
                "correction": c.factory_parent.statement,
            }
        ),
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
    department = factory.SubFactory(DepartmentFactory)
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
            forwarded_from=factory.SubFactory(DepartmentFactory),
            forward_reason="该记录由住房和建设局提供",
            decision_due=date(2026, 12, 9),
        )
        rejected = factory.Trait(
            status=Objection.Status.REJECTED,
            decided_by=factory.SubFactory(UserFactory),
            decided_on=date(2026, 12, 3),
            decision_reason="回执日期晚于期限",
        )


# The remaining rows of the kernel, the catalogue, the lifecycle and the repair cases ----------


class RepresentativeFactory(factory.django.DjangoModelFactory[Representation]):
    """A user entitled to act for a subject: by default its legal representative, proven by
    an officer-approved letter. Traits: ``claim`` (typed the code, unproven), ``pending_letter``
    (a letter awaiting review), ``requested`` (an agent request), ``revoked``; ``agent`` for an
    agent granted for ``matters`` (post-generation) until ``valid_until``."""

    class Meta:
        model = Representation
        skip_postgeneration_save = True

    subject = factory.SubFactory(SubjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Representation.Role.LEGAL_REPRESENTATIVE
    status = Representation.Status.PROVEN
    method = Representation.Method.LETTER
    evidence = factory.LazyFunction(
        lambda: {"sha256": hashlib.sha256(b"letter").hexdigest(), "size": 6}
    )
    reviewed_at = factory.LazyFunction(timezone.now)
    review_reason = "授权书已核对"
    valid_from = None  # no lower bound: tests move their clocks back and forth

    class Params:
        claim = factory.Trait(
            status=Representation.Status.CLAIMED,
            method=Representation.Method.DECLARED,
            evidence={"declared": "code typed at registration"},
            reviewed_at=None,
            review_reason="",
            valid_from=None,
        )
        pending_letter = factory.Trait(
            status=Representation.Status.PENDING_REVIEW, reviewed_at=None, review_reason=""
        )
        requested = factory.Trait(
            role=Representation.Role.AGENT,
            status=Representation.Status.REQUESTED,
            method=Representation.Method.GRANT,
            evidence={"request": "please"},
            reviewed_at=None,
            review_reason="",
            valid_from=None,
        )
        agent = factory.Trait(
            role=Representation.Role.AGENT,
            method=Representation.Method.GRANT,
            evidence={"granted": True},
            valid_until=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=90)),
        )
        revoked = factory.Trait(
            status=Representation.Status.REVOKED,
            revoked_at=factory.LazyFunction(timezone.now),
            revoke_reason="ended",
        )

    @factory.post_generation
    def matters(self, create, extracted, **kwargs):
        """``matters=[...]``: the agent's scope."""
        if create and extracted:
            self.matters.set(extracted)


class RoutingRuleFactory(factory.django.DjangoModelFactory[RoutingRule]):
    """Routing of a matter's commitments in a region to a department; ``on_field`` narrows it."""

    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"分派规则{n}")
    matter = factory.SubFactory(MatterFactory)
    region = factory.SubFactory(RegionFactory)
    department = factory.SubFactory(DepartmentFactory)

    class Params:
        on_field = factory.Trait(field_name="scope", field_value="热食类食品制售")


class RetentionPeriodFactory(factory.django.DjangoModelFactory[RetentionPeriod]):
    """The legal period of a partitioned table (the migrations seed the real ones)."""

    class Meta:
        model = RetentionPeriod
        django_get_or_create = ("table",)

    table = factory.Sequence(lambda n: f"example_log_{n}")
    months = 60
    legal_basis = "《征信业管理条例》第十六条"


class PartitionEventFactory(factory.django.DjangoModelFactory[PartitionEvent]):
    """A partition the maintenance job made ahead."""

    class Meta:
        model = PartitionEvent

    table = "credit_checkquery"
    partition = "credit_checkquery_p2027_01"
    action = PartitionEvent.Action.CREATED


class WorkingDayOverrideFactory(factory.django.DjangoModelFactory[WorkingDayOverride]):
    """An announced make-up working day on a Saturday."""

    class Meta:
        model = WorkingDayOverride
        django_get_or_create = ("date",)

    date = date(2027, 2, 20)
    is_working_day = True
    note = "春节调休上班"


class CalendarYearFactory(factory.django.DjangoModelFactory[CalendarYear]):
    """The State Council's holiday arrangement for 2027, entered by an administrator."""

    class Meta:
        model = CalendarYear
        django_get_or_create = ("year",)

    year = 2027
    announcement = "国务院办公厅关于2027年部分节假日安排的通知"
    announced_on = date(2026, 11, 12)


class ObligationRuleFactory(factory.django.DjangoModelFactory[ObligationRule]):
    class Meta:
        model = ObligationRule

    template = factory.SubFactory(TemplateFactory)
    position = factory.Sequence(lambda n: n + 10)
    title = "补交食品安全管理制度"
    title_zh_hans = factory.SelfAttribute("title")
    title_en = "Submit the food safety rules"
    deadline = 20
    deadline_unit = DeadlineUnit.WORKING_DAYS


class VerificationDetailFactory(factory.django.DjangoModelFactory[VerificationDetail]):
    class Meta:
        model = VerificationDetail

    verification = factory.SubFactory(VerificationFactory)
    evidence_summary = "现场核查经营场所与承诺一致"
    inspected_on = date(2026, 5, 11)
    inspection_location = "深圳市南山区科技园1号"
    inspectors = "regulator"


class VerificationEvidenceFactory(factory.django.DjangoModelFactory[VerificationEvidence]):
    class Meta:
        model = VerificationEvidence

    verification = factory.SubFactory(VerificationFactory)
    file = factory.django.FileField(filename="inspection.pdf", data=PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    original_name = "inspection.pdf"
    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)


class RegistryEventFactory(factory.django.DjangoModelFactory[RegistryEvent]):
    """A register event's row (its leaf is the transparency log's business, not this row's)."""

    class Meta:
        model = RegistryEvent

    event_type = RegistryEvent.Type.SIGNED
    commitment = factory.SubFactory(CommitmentFactory, signed=True)
    subject = factory.SelfAttribute("commitment.subject")
    event = factory.LazyAttribute(lambda o: {"reference": o.commitment.reference})
    salt = factory.Sequence(lambda n: f"{n:064x}")
    leaf_index = factory.Sequence(lambda n: n)
    created_at = factory.LazyFunction(timezone.now)


class OpenDataEventFactory(factory.django.DjangoModelFactory[OpenDataEvent]):
    """An open-data event's row shaped as ``open_data_event_record`` writes it: the event
    names its subject by the salted commitment that the row's disclosure opens (the services
    append its leaf; this row only names one). ``withheld`` erases the disclosure."""

    class Meta:
        model = OpenDataEvent

    class Params:
        withheld = False
        disclosure_salt = factory.Sequence(lambda n: f"{n + 1:064x}")
        public_name = factory.LazyAttribute(
            lambda o: (
                o.subject.name
                if o.subject.kind == Subject.Kind.COMPANY
                else mask_person_name(o.subject.name)
            )
        )
        public_code = factory.LazyAttribute(
            lambda o: o.subject.code if o.subject.kind == Subject.Kind.COMPANY else ""
        )

    kind = OpenDataEvent.Kind.PUBLICATION_STARTED
    subject = factory.SubFactory(SubjectFactory)
    record_id = factory.Sequence(lambda n: n + 1)
    effective_on = factory.LazyFunction(timezone.localdate)
    subject_name = factory.LazyAttribute(lambda o: "" if o.withheld else o.public_name)
    subject_code = factory.LazyAttribute(lambda o: "" if o.withheld else o.public_code)
    subject_salt = factory.LazyAttribute(lambda o: "" if o.withheld else o.disclosure_salt)
    created_at = factory.LazyFunction(timezone.now)
    event = factory.LazyAttribute(
        lambda o: {
            "version": EVENT_VERSION,
            "kind": str(o.kind),
            "time": o.created_at.isoformat(),
            "effective_on": o.effective_on.isoformat(),
            "subject": {
                "kind": "company" if o.subject.kind == Subject.Kind.COMPANY else "person",
                "commitment": salted_digest(
                    salt=bytes.fromhex(o.disclosure_salt),
                    event={"name": o.public_name, "code": o.public_code or None},
                ).hex(),
            },
            "record": o.record_id,
            "list_entry": None,
            "reference": None,
        }
    )
    salt = factory.Sequence(lambda n: f"{n:064x}")
    leaf_index = factory.Sequence(lambda n: 1_000_000 + n)
    checkpoint = factory.LazyFunction(checkpoint_create)


class SigningRequestFactory(factory.django.DjangoModelFactory[SigningRequest]):
    """A signing waiting for the timestamp service; ``failed`` after its attempts."""

    class Meta:
        model = SigningRequest

    commitment = factory.SubFactory(CommitmentFactory)
    requested_by = factory.SelfAttribute("commitment.created_by")

    class Params:
        failed = factory.Trait(
            status=SigningRequest.Status.FAILED, attempts=5, last_error="timestamp service down"
        )


class RepairProofFactory(factory.django.DjangoModelFactory[RepairProof]):
    class Meta:
        model = RepairProof

    application = factory.SubFactory(RepairApplicationFactory)
    file = factory.django.FileField(filename="paid.pdf", data=PDF_BYTES)
    name = "paid.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)


class ExternalIdentityFactory(factory.django.DjangoModelFactory[ExternalIdentity]):
    """A user's account at the identity provider, linked on their first login there."""

    class Meta:
        model = ExternalIdentity

    user = factory.SubFactory(UserFactory)
    issuer = "https://idp.example.gov.cn"
    subject_identifier = factory.Sequence(lambda n: f"person-{n}")
    linked_at = factory.LazyFunction(timezone.now)
    last_login_at = factory.LazyAttribute(lambda identity: identity.linked_at)


class SavedListFilterFactory(factory.django.DjangoModelFactory[SavedListFilter]):
    """An officer's last filters on the queue, as the query string they sent."""

    class Meta:
        model = SavedListFilter

    user = factory.SubFactory(UserFactory)
    list_name = "tasks-inbox"
    query = "matter=1&sort=-due"


class AssociationFactory(factory.django.DjangoModelFactory[Association]):
    """An industry association in Shenzhen."""

    class Meta:
        model = Association
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"assoc-{n}")
    name = factory.Sequence(lambda n: f"深圳市餐饮行业协会{n}")
    uscc = factory.LazyFunction(lambda: make_uscc())
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def officers(self, create, extracted, **kwargs):
        """``officers=[user, ...]``: active officers of the association."""
        for user in extracted or ():
            AssociationOfficer.objects.create(user=user, association=self)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        """``members=[subject, ...]``: active member companies."""
        for subject in extracted or ():
            AssociationMembership.objects.create(
                association=self, subject=subject, joined_on=dt.date(2026, 1, 1)
            )


class AssociationOfficerFactory(factory.django.DjangoModelFactory[AssociationOfficer]):
    class Meta:
        model = AssociationOfficer

    user = factory.SubFactory(UserFactory)
    association = factory.SubFactory(AssociationFactory)


class AssociationMembershipFactory(factory.django.DjangoModelFactory[AssociationMembership]):
    class Meta:
        model = AssociationMembership

    association = factory.SubFactory(AssociationFactory)
    subject = factory.SubFactory(SubjectFactory)
    joined_on = dt.date(2026, 1, 1)


CSV_BYTES = "统一社会信用代码,名称\n".encode()


class BulkIssueFactory(factory.django.DjangoModelFactory[BulkIssue]):
    """An uploaded members' file (a heading only): the rows are the processing's to write."""

    class Meta:
        model = BulkIssue

    association = factory.SubFactory(AssociationFactory)
    template = factory.SubFactory(TemplateFactory, kind=CommitmentTemplate.Kind.SELF_DISCIPLINE)
    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(filename="members.csv", data=CSV_BYTES)
    original_name = "会员名单.csv"
    sha256 = hashlib.sha256(CSV_BYTES).hexdigest()
    encoding = "utf-8"
    columns = factory.LazyFunction(lambda: ["code", "name"])
    total_rows = 0


class BulkIssueRowFactory(factory.django.DjangoModelFactory[BulkIssueRow]):
    class Meta:
        model = BulkIssueRow

    bulk_issue = factory.SubFactory(BulkIssueFactory)
    line_number = factory.Sequence(lambda n: n + 2)
    code = factory.LazyFunction(make_uscc)
    name = "深圳市会员餐饮有限公司"
    outcome = "rejected"


class MemberReminderFactory(factory.django.DjangoModelFactory[MemberReminder]):
    class Meta:
        model = MemberReminder

    association = factory.SubFactory(AssociationFactory)
    subject = factory.SubFactory(SubjectFactory)
    day = dt.date(2026, 12, 7)
    sent_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)


class CommitmentKindFactory(factory.django.DjangoModelFactory[CommitmentKind]):
    class Meta:
        model = CommitmentKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kind-{n}")
    name = factory.Sequence(lambda n: f"承诺种类{n}")


class ApprovalConsequenceFactory(factory.django.DjangoModelFactory[ApprovalConsequence]):
    """The approval suspended because a supply-later item was not supplied."""

    class Meta:
        model = ApprovalConsequence

    obligation = factory.SubFactory(ObligationFactory)
    commitment = factory.SelfAttribute("obligation.commitment")
    consequence = "suspend"
    reason = "补正材料逾期未提交"
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class ChangeSubscriptionFactory(factory.django.DjangoModelFactory[ChangeSubscription]):
    class Meta:
        model = ChangeSubscription

    calling_system = factory.SubFactory(CallingSystemFactory)
    scope = "checked"


class RepairNoticeFactory(factory.django.DjangoModelFactory[RepairNotice]):
    class Meta:
        model = RepairNotice

    breach = factory.SubFactory(BreachFactory)
    reference = factory.Sequence(lambda n: f"RN2026120600{n:04d}")
    rule_set = factory.SelfAttribute("breach.rule_set")
    is_repairable = True
    earliest_repair_on = dt.date(2027, 3, 6)
    publication_ends_on = dt.date(2029, 12, 6)
    apply_path = "/subjects/repair/"
    repair_basis = "《失信行为纠正后的信用信息修复管理办法》"
    issued_by = factory.SubFactory(UserFactory)


class CreditReportFactory(factory.django.DjangoModelFactory[CreditReport]):
    """A report's row and its stored document's metadata (no bytes): for lists, not checks."""

    class Meta:
        model = CreditReport

    reference = factory.Sequence(lambda n: f"CR2026120600{n:04d}")
    subject = factory.SubFactory(SubjectFactory)
    requested_by = factory.SubFactory(UserFactory)
    span_from = dt.date(2025, 12, 6)
    span_until = dt.date(2026, 12, 6)
    language = "zh-hans"
    issued_at = factory.LazyFunction(timezone.now)
    entry_count = 0
    record_digest = hashlib.sha256(b"[]").hexdigest()
    document = factory.SubFactory(SignedDocumentFactory)


class SealedRepairNoticeFactory(factory.django.DjangoModelFactory[SealedRepairNotice]):
    """A notice's seal row and its stored document's metadata (no bytes): for lists only."""

    class Meta:
        model = SealedRepairNotice

    notice = factory.SubFactory(RepairNoticeFactory)
    check_code = factory.Sequence(lambda n: f"CHECK{n:07d}")
    language = "zh-hans"
    sealed_at = factory.LazyFunction(timezone.now)
    document = factory.SubFactory(SignedDocumentFactory)


class RectificationFactory(factory.django.DjangoModelFactory[Rectification]):
    """An order to rectify a signed commitment, due in ten working days."""

    class Meta:
        model = Rectification

    commitment = factory.SubFactory(CommitmentFactory, signed=True)
    department = factory.SubFactory(DepartmentFactory)
    method = VerificationMethod.ON_SITE
    gaps = "消毒记录不全"
    ordered_by = factory.SubFactory(UserFactory)
    ordered_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    due_basis = factory.LazyFunction(lambda: {"working_days": 10})


class RectificationEvidenceFactory(factory.django.DjangoModelFactory[RectificationEvidence]):
    class Meta:
        model = RectificationEvidence

    rectification = factory.SubFactory(RectificationFactory)
    stage = "submission"
    file = factory.django.FileField(filename="rectified.pdf", data=PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    original_name = "rectified.pdf"
    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)


class ExemptionRuleFactory(factory.django.DjangoModelFactory[ExemptionRule]):
    """The food-business permit exempts grade A subjects (all its verified kinds), who may
    still be drawn for an on-site spot check."""

    class Meta:
        model = ExemptionRule

    matter = factory.SubFactory(MatterFactory)
    kind = ""
    spot_checks_drawn = True
    effective_from = datetime.date(2020, 1, 1)
    legal_basis = "市场监管领域信用承诺制实施办法 第十二条"
    legal_basis_zh_hans = factory.SelfAttribute("legal_basis")
    legal_basis_en = "Credit commitment rules for market supervision, art. 12"


class VerificationExemptionFactory(factory.django.DjangoModelFactory[VerificationExemption]):
    """A signed commitment of a grade A subject, exempt under its matter's rule."""

    class Meta:
        model = VerificationExemption

    commitment = factory.SubFactory(CommitmentFactory, signed=True)
    rule = factory.SubFactory(ExemptionRuleFactory)
    grade = "A"
    spot_checks_drawn = True
    reason = "grade A subject; exemption rule"
    exempted_by = factory.SubFactory(UserFactory)
    exempted_at = factory.LazyFunction(timezone.now)


class IssuedFormFactory(factory.django.DjangoModelFactory[IssuedForm]):
    """A form issued to be signed elsewhere, as ``issued_form_record`` records a download."""

    class Meta:
        model = IssuedForm

    commitment = factory.SubFactory(CommitmentFactory)
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"form {n}".encode()).hexdigest())
    size = 65_536
    rendered_on = factory.LazyFunction(date.today)
    language = "zh-hans"
    issued_at = factory.LazyFunction(timezone.now)
    issued_by = factory.SubFactory(UserFactory)


class OpenDataDayFactory(factory.django.DjangoModelFactory[OpenDataDay]):
    """A day of the open data feed, with no file built yet."""

    class Meta:
        model = OpenDataDay

    day = factory.Sequence(lambda n: date(2026, 1, 1) + dt.timedelta(days=n))


class OpenDataDayFileFactory(factory.django.DjangoModelFactory[OpenDataDayFile]):
    """A day's CSV file as the build records it (the object itself is the store's)."""

    class Meta:
        model = OpenDataDayFile

    day = factory.SubFactory(OpenDataDayFactory)
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"day {n}".encode()).hexdigest())
    size = 1_024
    signature = "sha256=" + "0" * 64
    certificate_sha256 = "0" * 64
    built_at = factory.LazyFunction(timezone.now)
