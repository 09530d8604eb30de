"""The demo's small Shenzhen as data: regions, departments, matters, the food-business
permit's template and obligations, a tender and the fields of the demo commitment, each text
in Chinese and English. Loaded by ``manage.py demo_load``; the tests build the same template."""

from __future__ import annotations

from commitments.catalogue.models import CommitmentTemplate, VerificationMethod
from directory.models import DeadlineUnit

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
