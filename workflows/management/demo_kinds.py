"""Demo data of the kinds beyond inform-and-commit, in Chinese and English: an
accept-now-supply-later template of the food-business permit (two missing items, the permit
suspended if one is missed) and a voluntary public commitment on food safety (published for
90 days, not verified), with one such commitment signed so the portal shows one."""

from __future__ import annotations

from commitments.catalogue.models import CommitmentTemplate, ObligationRule
from commitments.catalogue.services import template_activate
from commitments.obligations.models import WarningPolicy
from directory.models import DeadlineUnit, Matter
from directory.translation import both_languages

SUPPLY_LATER_CODE = "food-business-permit-supply-later"
VOLUNTARY_CODE = "food-safety-voluntary-public"

_COMMON = {
    "notice_legal_basis": (
        "事项名称：食品经营许可（容缺受理）。设定依据：《中华人民共和国食品安全法》第三十五条；"
        "《食品经营许可和备案管理办法》；本市容缺受理事项清单。",
        "Matter: food business permit (accept now, supply later). Basis: Article 35 of the "
        "Food Safety Law; Measures for the administration of food business permits and "
        "filings; the city's list of matters accepted with items supplied later.",
    ),
    "notice_liability": (
        "承诺不实或者逾期未补正的，按本事项约定暂停许可，记入信用记录，依法承担法律责任。",
        "A false commitment, or an item not supplied in time, suspends the permit as this "
        "matter states, enters the credit record and bears legal liability.",
    ),
    "notice_verification": (
        "审批机关对补正材料逐项审核，并可在许可后进行现场核查。",
        "The approving authority reviews each supplied item and may inspect on site after "
        "the approval.",
    ),
}

SUPPLY_LATER = {
    "kind": CommitmentTemplate.Kind.SUPPLY_LATER,
    "consequence": CommitmentTemplate.Consequence.SUSPEND,
    "verification_method": "written",
    "verification_window": 30,
    "publicity_days": 365,
    "texts": {
        **_COMMON,
        "title": ("食品经营许可容缺受理承诺书", "Food business permit: accept now, supply later"),
        "notice_conditions": (
            "申请人已具备许可条件，主要申请材料齐全，次要材料在承诺期限内补齐。",
            "The applicant meets the conditions and the main documents are complete; the "
            "secondary items are supplied within the committed deadlines.",
        ),
        "notice_waived_proof": (
            "受理时暂不提交下列缺件，按期补正。",
            "The items below need not be submitted at acceptance; they are supplied in time.",
        ),
        "notice_publicity": (
            "承诺书及补正情况在信用网站公示，公示期一年。",
            "The commitment and the supplied items are published on the credit website for "
            "one year.",
        ),
        "commitment_text": (
            "本单位承诺所提交材料真实有效，并在期限内补齐所列缺件；逾期未补的，自愿接受暂停许可"
            "及失信记录。",
            "We commit that the documents submitted are true and valid and that we supply "
            "every missing item by its deadline; if one is missed we accept the suspension of "
            "the permit and the record of the breach.",
        ),
    },
    "items": (
        (
            ("补交食品安全管理制度文本", "Supply the food safety management rules"),
            ("上传加盖公章的制度文本。", "Upload the rules bearing the company seal."),
            10,
        ),
        (
            ("补交从业人员健康证明", "Supply the staff health certificates"),
            ("上传全部从业人员的健康证明。", "Upload every food handler's health certificate."),
            15,
        ),
    ),
}

VOLUNTARY = {
    "kind": CommitmentTemplate.Kind.VOLUNTARY_PUBLIC,
    "consequence": "",
    "verification_method": "publicity",
    "verification_window": 1,
    "publicity_days": 90,
    "texts": {
        **_COMMON,
        "title": ("食品安全主动公示承诺书", "Voluntary public commitment on food safety"),
        "notice_legal_basis": (
            "依据：《中华人民共和国食品安全法》；GB/T 46277-2025《经营主体信用承诺实施指南》。",
            "Basis: the Food Safety Law; GB/T 46277-2025, implementation guide for business "
            "subjects' credit commitments.",
        ),
        "notice_conditions": (
            "经营主体自愿向社会公开作出承诺，接受社会监督。",
            "The business commits publicly of its own accord and accepts public scrutiny.",
        ),
        "notice_waived_proof": ("不涉及。", "Not applicable."),
        "notice_liability": (
            "违背公开承诺的，记入信用记录。",
            "Breaking the public commitment enters the credit record.",
        ),
        "notice_verification": (
            "本承诺不设核查，由社会监督；发现违背承诺的可向监管部门举报。",
            "This commitment is not verified; the public watches it and may report a breach "
            "to the regulator.",
        ),
        "notice_publicity": (
            "承诺书在信用门户公示90日，期满自动撤下。",
            "The commitment is published on the credit portal for 90 days and taken down "
            "automatically when the term ends.",
        ),
        "commitment_text": (
            "本单位自愿承诺：严格落实食品安全主体责任，原料可追溯，明厨亮灶，不使用过期原料。",
            "We commit of our own accord to carry out our food safety responsibilities in "
            "full: traceable ingredients, a kitchen open to view, no expired ingredients.",
        ),
    },
    "items": (),
}

FIELDS = [
    {"name": "premises", "label": "经营场所", "label_en": "Premises", "required": True},
    {"name": "scope", "label": "经营项目", "label_en": "Business scope", "required": True},
]


def load_kind_templates(*, matter: Matter, by) -> dict[str, CommitmentTemplate]:
    """The two templates, created once and opened through the catalogue's service."""
    loaded = {}
    for code, spec in ((SUPPLY_LATER_CODE, SUPPLY_LATER), (VOLUNTARY_CODE, VOLUNTARY)):
        template, _created = CommitmentTemplate.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "matter": matter,
                "kind": spec["kind"],
                "consequence": spec["consequence"],
                "verification_method": spec["verification_method"],
                "verification_window": spec["verification_window"],
                "publicity_days": spec["publicity_days"],
                "fields": FIELDS,
                **both_languages(**spec["texts"]),
            },
        )
        for position, (title, description, days) in enumerate(spec["items"], start=1):
            ObligationRule.objects.get_or_create(
                template=template,
                position=position,
                defaults={
                    **both_languages(title=title, description=description),
                    "deadline": days,
                    "deadline_unit": DeadlineUnit.WORKING_DAYS,
                },
            )
        if spec["items"]:  # an item is due on its day: no grace before the consequence
            WarningPolicy.objects.get_or_create(template=template, defaults={"grace_period": 0})
        if template.status == CommitmentTemplate.Status.DRAFT:
            template = template_activate(template=template, by=by, reason="demo data")
        loaded[code] = template
    return loaded
