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
GUIDING_OPINION_2016_33 = (
    "国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见（国发〔2016〕33号）"
)

RULE_SETS = [
    {
        "code": "ndrc-order-58",
        "name": "NDRC Order 58 (trial measures on credit repair)",
        "domain": "general",
        "legal_basis": "失信行为纠正后的信用信息修复管理办法（试行）（国家发展改革委令2023年第58号）",
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
        "name": "State Council General Office 2025 No. 22; NDRC Order 36 (credit repair measures)",
        "domain": "general",
        "legal_basis": (
            "国务院办公厅2025年第22号文件；信用修复管理办法（国家发展改革委令第36号）"
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
        "name": "SAMR Order 107 (market regulation)",
        "domain": "market_regulation",
        "legal_basis": "市场监督管理总局令第107号",
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

CATEGORIES = [
    ("false_commitment", "False commitment", "general", GUIDING_OPINION_2020_42, "general", ""),
    (
        "missed_obligation",
        "Commitment obligation not performed by its deadline",
        "general",
        GUIDING_OPINION_2020_42,
        "general",
        "",
    ),
    (
        "bid_pledge_breach",
        "Bidding pledge breached",
        "general",
        "招标投标领域信用承诺替代投标保证金相关规定",
        "general",
        "",
    ),
    (
        "market_false_commitment",
        "False commitment on a market-regulation matter",
        "market_regulation",
        "市场监督管理总局令第107号；" + GUIDING_OPINION_2020_42,
        "general",
        "",
    ),
    (
        "market_warning",
        "Administrative warning (market regulation)",
        "market_regulation",
        "中华人民共和国行政处罚法第九条",
        "minor",
        "warning",
    ),
    ("production_safety", "Production safety", "general", "中华人民共和国安全生产法", "general", "safety"),
    ("fire_safety", "Fire safety", "general", "中华人民共和国消防法", "general", "safety"),
    (
        "special_equipment",
        "Special equipment safety",
        "general",
        "中华人民共和国特种设备安全法",
        "general",
        "safety",
    ),
]

MEASURE_TYPES = [
    {
        "code": "no_commitment",
        "name": "No commit-instead-of-prove until the record is repaired",
        "kind": "no_commitment",
        "legal_basis": GUIDING_OPINION_2020_42,
        "applied_by": "Every approving department",
    },
    {
        "code": "revoke_approval",
        "name": "Revocation of the approval obtained on the false commitment",
        "kind": "revoke_approval",
        "legal_basis": "中华人民共和国行政许可法第六十九条；" + GUIDING_OPINION_2020_42,
        "applied_by": "The approving department",
    },
    {
        "code": "point_deduction",
        "name": "Credit point deduction",
        "kind": "point_deduction",
        "legal_basis": GUIDING_OPINION_2020_49,
        "applied_by": "The credit platform",
    },
    {
        "code": "bid_restriction",
        "name": "Restriction in public procurement and bidding",
        "kind": "joint_measure",
        "legal_basis": GUIDING_OPINION_2016_33,
        "applied_by": "Finance bureaus; public resource trading centres",
        "purposes": ["bid"],
    },
    {
        "code": "subsidy_restriction",
        "name": "Restriction on government subsidies",
        "kind": "joint_measure",
        "legal_basis": GUIDING_OPINION_2016_33,
        "applied_by": "Departments granting subsidies",
        "purposes": ["subsidy"],
    },
    {
        "code": "closer_supervision",
        "name": "Closer supervision: higher spot-check ratio and no simplified procedure",
        "kind": "joint_measure",
        "legal_basis": GUIDING_OPINION_2020_49,
        "applied_by": "The competent department",
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
        "name": "List of seriously dishonest subjects",
        "kind": "black",
        "legal_basis": GUIDING_OPINION_2020_49,
        "entry_criteria": "12 or more points deducted, or a serious breach, with prior notice.",
        "exit_criteria": "Credit repaired, and at least the minimum listing period passed.",
        "entry_points_threshold": 12,
        "entry_serious_breaches": 1,
        "notice_days": 10,
        "min_listing_months": 12,
    },
    {
        "code": "trustworthy",
        "name": "List of trustworthy subjects",
        "kind": "red",
        "legal_basis": GUIDING_OPINION_2016_33,
        "entry_criteria": "Grade A and no breach on the record.",
        "exit_criteria": "Any general or serious breach.",
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


def seed(apps, schema_editor):
    RuleSet = apps.get_model("credit", "RuleSet")
    PublicityRule = apps.get_model("credit", "PublicityRule")
    BreachCategory = apps.get_model("credit", "BreachCategory")
    MeasureType = apps.get_model("credit", "MeasureType")
    ConsequenceRule = apps.get_model("credit", "ConsequenceRule")
    CreditList = apps.get_model("credit", "CreditList")
    GradeRule = apps.get_model("credit", "GradeRule")

    for spec in RULE_SETS:
        spec = dict(spec)
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
    for code, name, domain, basis, severity, group in CATEGORIES:
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
        spec = dict(spec)
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
        spec = dict(spec)
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
