"""Writes of the catalogue: the built-in templates of the two commitments signed through their
own procedures — the public credit-repair commitment (Order 36) and the bidding pledge that
replaces a bid deposit — created on first use, so a city gets them without a data step
(idempotent; concurrent first uses are safe thanks to the template's unique (code, version)).

Other templates are reference data an administrator publishes in the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode
from directory.audit import audited_save
from directory.models import DeadlineUnit, Matter
from directory.translation import both_languages

PLEDGE_BASIS = "招标投标领域信用承诺替代投标保证金相关规定"
BASIS = "国家发展和改革委员会令第36号《信用修复管理办法》；国办发〔2025〕22号"


PLEDGE_BASIS_EN = (
    "Provisions on credit commitments in place of bid deposits in tendering and bidding"
)
BASIS_EN = (
    "Measures for the administration of credit repair (NDRC Order No. 36); Guo Ban Fa [2025] No. 22"
)


def _seed() -> None:
    matter, _created = Matter.objects.get_or_create(
        code="credit-repair",
        defaults=both_languages(name=("信用修复", "Credit repair"), legal_basis=(BASIS, BASIS_EN)),
    )
    CommitmentTemplate.objects.get_or_create(
        code="credit-repair",
        version=1,
        defaults={
            "kind": "credit_repair",
            "matter": matter,
            **both_languages(
                title=("信用修复承诺书", "Credit repair commitment"),
                notice_legal_basis=(BASIS, BASIS_EN),
                notice_conditions=(
                    "已纠正失信行为、履行法定义务，且最短公示期已满。",
                    "The dishonest act is corrected, the legal obligations are performed and "
                    "the minimum publicity period has passed.",
                ),
                notice_waived_proof=(
                    "信用修复承诺书为申请材料之一，与履行义务的证明一并提交。",
                    "The credit repair commitment is one of the application documents, "
                    "submitted with the proof that the obligations were performed.",
                ),
                notice_liability=(
                    "承诺不实的，撤销修复决定，记入信用记录，三年内不予受理修复申请。",
                    "A false commitment revokes the repair decision, is entered in the credit "
                    "record, and no repair application is accepted for three years.",
                ),
                notice_verification=(
                    "认定部门可核查申请材料并向社会公开承诺内容。",
                    "The deciding department may verify the application and publish the "
                    "commitment.",
                ),
                notice_publicity=(
                    "本承诺在信用网站公示。",
                    "This commitment is published on the credit website.",
                ),
                commitment_text=(
                    "本主体承诺：已纠正失信行为并履行全部义务，所提交材料真实有效；"
                    "今后依法诚信经营，如有违反，愿意承担相应法律责任。",
                    "We commit that we have corrected the dishonest act and performed every "
                    "obligation, that the documents submitted are true and valid, and that we "
                    "will operate lawfully and honestly; we bear the legal liability of any "
                    "breach.",
                ),
            ),
            "fields": [
                {
                    "name": "breach",
                    "label": "修复的失信记录",
                    "label_en": "Record to repair",
                    "required": True,
                    "max_length": 50,
                },
                {
                    "name": "correction",
                    "label": "纠正情况",
                    "label_en": "How it was corrected",
                    "required": True,
                    "max_length": 1000,
                },
            ],
            "verification_method": "written",
            "verification_window": 10,
            "verification_window_unit": "working_days",
            "publicity_days": 90,
            "status": "active",
        },
    )

    pledge_matter, _created = Matter.objects.get_or_create(
        code="bid-pledge",
        defaults=both_languages(
            name=("投标信用承诺", "Bidding pledge"), legal_basis=(PLEDGE_BASIS, PLEDGE_BASIS_EN)
        ),
    )
    CommitmentTemplate.objects.get_or_create(
        code="bid-pledge",
        version=1,
        defaults={
            "kind": "bidding_pledge",
            "matter": pledge_matter,
            **both_languages(
                title=(
                    "投标信用承诺书（替代投标保证金）",
                    "Bidding pledge (in place of a bid deposit)",
                ),
                notice_legal_basis=(PLEDGE_BASIS, PLEDGE_BASIS_EN),
                notice_conditions=(
                    "投标人未被列入严重失信主体名单。",
                    "The bidder is not on the list of seriously dishonest subjects.",
                ),
                notice_waived_proof=("免于缴纳投标保证金。", "No bid deposit is paid."),
                notice_liability=(
                    "投标截止后撤回投标，中标后无正当理由拒签合同或不提交履约保证金的，"
                    "应在期限内缴纳相当于投标保证金的款项；逾期未缴的，列入失信名单。",
                    "A bidder who withdraws after the bid deadline, or as winner refuses without "
                    "good reason to sign the contract or to provide the performance guarantee, "
                    "pays the amount of the bid deposit within the time limit; unpaid, it is "
                    "listed as dishonest.",
                ),
                notice_verification=(
                    "招标人或招标代理机构核实履约情况。",
                    "The tendering authority or its agent checks that the pledge is kept.",
                ),
                notice_publicity=(
                    "承诺书在信用网站公示。",
                    "The pledge is published on the credit website.",
                ),
                commitment_text=(
                    "本单位承诺以信用替代投标保证金，并遵守上述约定。",
                    "We pledge our credit in place of a bid deposit and keep the terms above.",
                ),
            ),
            "fields": [
                {
                    "name": "tender",
                    "label": "招标项目编号",
                    "label_en": "Tender reference",
                    "required": True,
                    "max_length": 50,
                },
            ],
            "verification_method": "written",
            "verification_window": 10,
            "verification_window_unit": "working_days",
            "publicity_days": 90,
            "status": "active",
        },
    )


def active_template(kind: str) -> CommitmentTemplate:
    """The newest active template of a kind, created from the defaults on first use."""
    found = (
        CommitmentTemplate.objects.filter(kind=kind, status=CommitmentTemplate.Status.ACTIVE)
        .order_by("-version", "-pk")
        .first()
    )
    if found is None and not CommitmentTemplate.objects.filter(kind=kind).exists():
        try:
            with transaction.atomic():
                _seed()
        except IntegrityError:  # another first use won the race
            pass
        found = CommitmentTemplate.objects.filter(
            kind=kind, status=CommitmentTemplate.Status.ACTIVE
        ).first()
    if found is None:  # the city retired it on purpose
        raise CommitmentError(
            ErrorCode.TEMPLATE_NOT_ACTIVE,
            _("No %(kind)s commitment is open for use.")
            % {"kind": CommitmentTemplate.Kind(kind).label},
            field="template",
        )
    return found


def template_structure_problems(template: CommitmentTemplate) -> dict[str, list[str]]:
    """What keeps a template from opening, by field: the model letter's parts (GB/T
    46277-2025) and its kind's rules. Empty when it may open."""
    problems: dict[str, list[str]] = {}
    try:
        template.clean()
    except ValidationError as error:
        problems.update(error.message_dict)
    for name in ("notice_legal_basis", "notice_conditions", "notice_liability", "commitment_text"):
        if not (getattr(template, name) or "").strip():
            problems.setdefault(name, []).append(_("The commitment letter needs this part."))
    rules = template.rules
    if rules.items_supplied_later:
        items = list(template.obligation_rules.all())
        if not items:
            problems.setdefault("obligation_rules", []).append(
                _("An accept-now-supply-later template lists the missing items.")
            )
        elif any(item.deadline_unit != DeadlineUnit.WORKING_DAYS for item in items):
            problems.setdefault("obligation_rules", []).append(
                _("Each missing item's deadline is counted in working days.")
            )
        # The reverse accessor, not an import: the catalogue sits below obligations.
        policy = getattr(template, "warning_policy", None)
        if policy is None or not policy.records_breach:
            problems.setdefault("warning_policy", []).append(
                _(
                    "State the grace period after each item's deadline and record the breach "
                    "when it ends (the warning policy): the approval's consequence follows it."
                )
            )
        elif policy.grace_period and policy.grace_unit != DeadlineUnit.WORKING_DAYS:
            problems.setdefault("warning_policy", []).append(
                _("The grace period after a missing item's deadline is counted in working days.")
            )
    return problems


@transaction.atomic
def template_activate(
    *, template: CommitmentTemplate, by, reason: str = "activated"
) -> CommitmentTemplate:
    """Open a draft template for applicants, refused (nothing changed) while a part of the
    letter or a rule of its kind is missing."""
    locked = CommitmentTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.status != CommitmentTemplate.Status.DRAFT:
        raise CommitmentError(
            ErrorCode.INVALID_STATE,
            _("Only a draft template can be opened."),
            field="status",
        )
    problems = template_structure_problems(locked)
    if problems:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("This template cannot be opened yet."),
            fields=problems,
            field=next(iter(problems)),
        )
    locked.activate()
    audited_save(locked, by=by, reason=reason)
    return locked
