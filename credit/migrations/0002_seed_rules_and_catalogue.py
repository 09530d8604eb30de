"""Seed the rule sets, breach categories, consequence catalogue, lists and grade rules.

Everything here is data an administrator can change or extend (with history): new rule
sets get their own effective dates instead of editing the old ones.
"""

from datetime import date

from django.db import migrations

GUIDING_OPINION_2020_42 = (
    "国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见（国办发〔2020〕42号）"
)
GUIDING_OPINION_2020_49 = (
    "国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见（国办发〔2020〕49号）"
)
GUIDING_OPINION_2016_33 = "国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见（国发〔2016〕33号）"

# Every text is seeded in Chinese; its English sits beside it under ``<field>_en`` and is
# written by 0004_catalogue_in_two_languages, once the columns of both languages exist.
GUIDING_OPINION_2020_42_EN = (
    "Guiding Opinion of the General Office of the State Council on fully implementing the "
    "inform-and-commit system for certification matters and business licensing matters "
    "(Guo Ban Fa [2020] No. 42)"
)
GUIDING_OPINION_2020_49_EN = (
    "Guiding Opinion of the General Office of the State Council on further improving the "
    "constraints on dishonesty and building a lasting mechanism for integrity "
    "(Guo Ban Fa [2020] No. 49)"
)
GUIDING_OPINION_2016_33_EN = (
    "Guiding Opinion of the State Council on joint incentives for the trustworthy and joint "
    "punishment of the dishonest to speed up building social integrity (Guo Fa [2016] No. 33)"
)

RULE_SETS = [
    {
        "code": "ndrc-order-58",
        "name": "国家发展改革委令2023年第58号（信用信息修复管理办法（试行））",
        "name_en": "NDRC Order 58 (trial measures on credit repair)",
        "domain": "general",
        "legal_basis": "失信行为纠正后的信用信息修复管理办法（试行）（国家发展改革委令2023年第58号）",
        "legal_basis_en": (
            "Measures for repairing credit information after dishonest conduct is corrected "
            "(trial) (NDRC Order No. 58 of 2023)"
        ),
        "effective_from": date(2023, 5, 1),
        "effective_until": date(2026, 3, 31),
        "decision_working_days": None,
        "rules": [
            # Local guides: minimum 3 months, maximum 3 years; safety sectors at least 1 year.
            ("minor", "", True, 3, 36),
            ("general", "", True, 3, 36),
            ("serious", "", True, 3, 36),
            ("minor", "safety", True, 12, 36),
            ("general", "safety", True, 12, 36),
            ("serious", "safety", True, 12, 36),
        ],
    },
    {
        "code": "ndrc-order-36",
        "name": "国务院办公厅2025年第22号文；国家发展改革委令第36号（信用修复管理办法）",
        "name_en": "State Council General Office 2025 No. 22; NDRC Order 36 (credit repair measures)",
        "domain": "general",
        "legal_basis": ("国务院办公厅2025年第22号文件；信用修复管理办法（国家发展改革委令第36号）"),
        "legal_basis_en": (
            "State Council General Office Document No. 22 of 2025; Measures for the "
            "administration of credit repair (NDRC Order No. 36)"
        ),
        "effective_from": date(2026, 4, 1),
        "effective_until": None,
        "decision_working_days": 3,
        "rules": [
            ("minor", "", False, 0, 3),  # may stay unpublished, at most 3 months
            ("general", "", True, 3, 12),
            ("serious", "", True, 12, 36),
        ],
    },
    {
        "code": "samr-order-107",
        "name": "市场监管总局令第107号（市场监督管理）",
        "name_en": "SAMR Order 107 (market regulation)",
        "domain": "market_regulation",
        "legal_basis": "市场监督管理总局令第107号",
        "legal_basis_en": "Order No. 107 of the State Administration for Market Regulation",
        "effective_from": date(2025, 12, 25),
        "effective_until": None,
        "decision_working_days": 7,
        "rules": [
            ("minor", "", True, 0, 3),  # removed after 3 months
            ("minor", "warning", False, 0, 0),  # warnings are not published
            ("general", "", True, 3, 12),
            ("serious", "", True, 12, 36),
        ],
    },
]

# code, name, name in English, domain, legal basis, its English, severity, publicity group
CATEGORIES = [
    (
        "false_commitment",
        "虚假承诺",
        "False commitment",
        "general",
        GUIDING_OPINION_2020_42,
        GUIDING_OPINION_2020_42_EN,
        "general",
        "",
    ),
    (
        "missed_obligation",
        "未在期限内履行承诺义务",
        "Commitment obligation not performed by its deadline",
        "general",
        GUIDING_OPINION_2020_42,
        GUIDING_OPINION_2020_42_EN,
        "general",
        "",
    ),
    (
        "bid_pledge_breach",
        "违反投标信用承诺",
        "Bidding pledge breached",
        "general",
        "招标投标领域信用承诺替代投标保证金相关规定",
        "Provisions on credit commitments in place of bid deposits in tendering and bidding",
        "general",
        "",
    ),
    (
        "market_false_commitment",
        "市场监管事项虚假承诺",
        "False commitment on a market-regulation matter",
        "market_regulation",
        "市场监督管理总局令第107号；" + GUIDING_OPINION_2020_42,
        "Order No. 107 of the State Administration for Market Regulation; "
        + GUIDING_OPINION_2020_42_EN,
        "general",
        "",
    ),
    (
        "market_warning",
        "行政警告（市场监管）",
        "Administrative warning (market regulation)",
        "market_regulation",
        "中华人民共和国行政处罚法第九条",
        "Article 9 of the Administrative Penalty Law of the People's Republic of China",
        "minor",
        "warning",
    ),
    (
        "production_safety",
        "安全生产",
        "Production safety",
        "general",
        "中华人民共和国安全生产法",
        "Work Safety Law of the People's Republic of China",
        "general",
        "safety",
    ),
    (
        "fire_safety",
        "消防安全",
        "Fire safety",
        "general",
        "中华人民共和国消防法",
        "Fire Protection Law of the People's Republic of China",
        "general",
        "safety",
    ),
    (
        "special_equipment",
        "特种设备安全",
        "Special equipment safety",
        "general",
        "中华人民共和国特种设备安全法",
        "Special Equipment Safety Law of the People's Republic of China",
        "general",
        "safety",
    ),
]

MEASURE_TYPES = [
    {
        "code": "no_commitment",
        "name": "在信用修复前不适用告知承诺制",
        "name_en": "No commit-instead-of-prove until the record is repaired",
        "kind": "no_commitment",
        "legal_basis": GUIDING_OPINION_2020_42,
        "legal_basis_en": GUIDING_OPINION_2020_42_EN,
        "applied_by": "各审批部门",
        "applied_by_en": "Every approving department",
    },
    {
        "code": "revoke_approval",
        "name": "撤销以虚假承诺取得的审批决定",
        "name_en": "Revocation of the approval obtained on the false commitment",
        "kind": "revoke_approval",
        "legal_basis": "中华人民共和国行政许可法第六十九条；" + GUIDING_OPINION_2020_42,
        "legal_basis_en": "Article 69 of the Administrative Licensing Law of the People's Republic of "
        "China; " + GUIDING_OPINION_2020_42_EN,
        "applied_by": "原审批部门",
        "applied_by_en": "The approving department",
    },
    {
        "code": "point_deduction",
        "name": "信用扣分",
        "name_en": "Credit point deduction",
        "kind": "point_deduction",
        "legal_basis": GUIDING_OPINION_2020_49,
        "legal_basis_en": GUIDING_OPINION_2020_49_EN,
        "applied_by": "信用信息平台",
        "applied_by_en": "The credit platform",
    },
    {
        "code": "bid_restriction",
        "name": "限制参与政府采购和招标投标",
        "name_en": "Restriction in public procurement and bidding",
        "kind": "joint_measure",
        "legal_basis": GUIDING_OPINION_2016_33,
        "legal_basis_en": GUIDING_OPINION_2016_33_EN,
        "applied_by": "财政部门；公共资源交易中心",
        "applied_by_en": "Finance bureaus; public resource trading centres",
        "purposes": ["bid"],
    },
    {
        "code": "subsidy_restriction",
        "name": "限制申请政府补贴",
        "name_en": "Restriction on government subsidies",
        "kind": "joint_measure",
        "legal_basis": GUIDING_OPINION_2016_33,
        "legal_basis_en": GUIDING_OPINION_2016_33_EN,
        "applied_by": "补贴发放部门",
        "applied_by_en": "Departments granting subsidies",
        "purposes": ["subsidy"],
    },
    {
        "code": "closer_supervision",
        "name": "加强监管：提高抽查比例，不适用简易程序",
        "name_en": "Closer supervision: higher spot-check ratio and no simplified procedure",
        "kind": "joint_measure",
        "legal_basis": GUIDING_OPINION_2020_49,
        "legal_basis_en": GUIDING_OPINION_2020_49_EN,
        "applied_by": "主管部门",
        "applied_by_en": "The competent department",
        "purposes": ["approval"],
    },
]

# (severity, category or None for every category, measure type, points)
CONSEQUENCES = [
    ("minor", None, "point_deduction", 1),
    ("general", None, "point_deduction", 3),
    ("general", None, "closer_supervision", 0),
    ("serious", None, "point_deduction", 6),
    ("serious", None, "no_commitment", 0),
    ("serious", None, "closer_supervision", 0),
    ("serious", None, "bid_restriction", 0),
    ("serious", None, "subsidy_restriction", 0),
]
for _severity in ("minor", "general", "serious"):
    for _category in ("false_commitment", "market_false_commitment"):
        CONSEQUENCES += [
            (_severity, _category, "no_commitment", 0),
            (_severity, _category, "revoke_approval", 0),
        ]
CONSEQUENCES.append(("general", "bid_pledge_breach", "bid_restriction", 0))

LISTS = [
    {
        "code": "serious-dishonesty",
        "name": "严重失信主体名单",
        "name_en": "List of seriously dishonest subjects",
        "kind": "black",
        "legal_basis": GUIDING_OPINION_2020_49,
        "legal_basis_en": GUIDING_OPINION_2020_49_EN,
        "entry_criteria": "累计扣分达12分以上或者有严重失信行为，经事先告知后列入。",
        "entry_criteria_en": "12 or more points deducted, or a serious breach, with prior notice.",
        "exit_criteria": "已完成信用修复，且已满最短列入期限。",
        "exit_criteria_en": "Credit repaired, and at least the minimum listing period passed.",
        "entry_points_threshold": 12,
        "entry_serious_breaches": 1,
        "notice_days": 10,
        "min_listing_months": 12,
    },
    {
        "code": "trustworthy",
        "name": "守信主体名单",
        "name_en": "List of trustworthy subjects",
        "kind": "red",
        "legal_basis": GUIDING_OPINION_2016_33,
        "legal_basis_en": GUIDING_OPINION_2016_33_EN,
        "entry_criteria": "信用等级为A级，且无失信记录。",
        "entry_criteria_en": "Grade A and no breach on the record.",
        "exit_criteria": "出现一般或者严重失信行为。",
        "exit_criteria_en": "Any general or serious breach.",
        "entry_points_threshold": None,
        "entry_serious_breaches": None,
        "notice_days": 0,
        "min_listing_months": None,
    },
]

GRADES = [
    # (position, grade, max points, max breaches, max serious, allows black list, ratio)
    (1, "A", 0, 0, 0, False, "≤ 5 %"),
    (2, "B", 5, None, 0, False, "5–20 %"),
    (3, "C", 11, None, 0, False, "21–60 %"),
    (4, "D", None, None, None, True, "61–100 %"),
]


def chinese(spec: dict) -> dict:
    """The spec without its English, whose columns do not exist yet at this migration."""
    return {key: value for key, value in spec.items() if not key.endswith("_en")}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("credit", "RuleSet")
    PublicityRule = apps.get_model("credit", "PublicityRule")
    BreachCategory = apps.get_model("credit", "BreachCategory")
    MeasureType = apps.get_model("credit", "MeasureType")
    ConsequenceRule = apps.get_model("credit", "ConsequenceRule")
    CreditList = apps.get_model("credit", "CreditList")
    GradeRule = apps.get_model("credit", "GradeRule")

    for spec in RULE_SETS:
        spec = chinese(spec)
        rules = spec.pop("rules")
        rule_set, _created = RuleSet.objects.update_or_create(code=spec["code"], defaults=spec)
        for severity, group, published, low, high in rules:
            PublicityRule.objects.update_or_create(
                rule_set=rule_set,
                severity=severity,
                group=group,
                defaults={"is_published": published, "min_months": low, "max_months": high},
            )
    categories = {}
    for code, name, _name_en, domain, basis, _basis_en, severity, group in CATEGORIES:
        categories[code], _created = BreachCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "domain": domain,
                "legal_basis": basis,
                "default_severity": severity,
                "publicity_group": group,
            },
        )
    kinds = {}
    for spec in MEASURE_TYPES:
        spec = chinese(spec)
        code = spec.pop("code")
        kinds[code], _created = MeasureType.objects.update_or_create(code=code, defaults=spec)
    for severity, category, kind, points in CONSEQUENCES:
        ConsequenceRule.objects.get_or_create(
            severity=severity,
            category=categories[category] if category else None,
            measure_type=kinds[kind],
            defaults={"points": points},
        )
    for spec in LISTS:
        spec = chinese(spec)
        CreditList.objects.update_or_create(code=spec.pop("code"), defaults=spec)
    for position, grade, points, breaches, serious, black, ratio in GRADES:
        GradeRule.objects.update_or_create(
            effective_from=date(2023, 5, 1),
            position=position,
            defaults={
                "grade": grade,
                "max_points": points,
                "max_breaches": breaches,
                "max_serious_breaches": serious,
                "allows_black_list": black,
                "spot_check_ratio": ratio,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
