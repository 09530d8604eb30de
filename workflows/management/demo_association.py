"""The demo's industry association: 深圳市餐饮行业协会, its officer, three member companies (the
demo company among them), its self-discipline template, and one members' file already issued
(one row rejected, to show a row's reason)."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.associations.models import (
    Association,
    AssociationMembership,
    AssociationOfficer,
    BulkIssue,
)
from commitments.associations.services.issue import bulk_issue_process, bulk_issue_upload
from commitments.catalogue.models import CommitmentTemplate
from directory.identifiers import uscc_check_character
from directory.models import Matter, Region, Subject
from directory.translation import both_languages

ASSOCIATION_CODE = "sz-catering"
ASSOCIATION_NAME = "深圳市餐饮行业协会"
ASSOCIATION_USERNAME = "association"
SELF_DISCIPLINE_CODE = "catering-self-discipline"
SELF_DISCIPLINE_TEXTS = {
    "title": ("餐饮行业自律承诺书", "Catering industry self-discipline pledge"),
    "notice_legal_basis": (
        "《中华人民共和国食品安全法》第九条；《深圳市餐饮行业协会章程》",
        "Article 9 of the Food Safety Law; the statutes of the Shenzhen Catering Association",
    ),
    "notice_conditions": (
        "遵守食品安全法律法规和行业自律公约，诚信经营。",
        "Comply with food safety law and the industry's self-discipline convention.",
    ),
    "notice_waived_proof": ("不适用。", "Not applicable."),
    "notice_liability": (
        "违反承诺的，由协会予以通报，并记入会员信用档案。",
        "A breach is made known by the association and entered in the member's credit file.",
    ),
    "notice_verification": (
        "协会及监管部门可随时核查承诺履行情况。",
        "The association and the regulators may verify the pledge at any time.",
    ),
    "notice_publicity": (
        "承诺书在信用网站公示，公示期一年。",
        "The pledge is published on the credit website for one year.",
    ),
    "commitment_text": (
        "本单位自愿遵守行业自律公约，承诺守法诚信经营，接受协会和社会监督。",
        "We voluntarily keep the industry's self-discipline convention and commit to lawful, "
        "honest business under the supervision of the association and the public.",
    ),
}
MEMBERS = (
    ("深圳市南山区好味道餐饮有限公司", "440305"),
    ("深圳市福田区老字号酒家有限公司", "440304"),
)


def _code(seed: str) -> str:
    body = f"91{seed}MA5DEK8{seed[-2:]}"[:17]
    return body + uscc_check_character(body)


def association_demo_load(*, officer, subject: Subject, matter: Matter) -> Association:
    """Load the demo association (idempotent)."""
    region = Region.objects.get(code="440300")
    association, _created = Association.objects.get_or_create(
        code=ASSOCIATION_CODE,
        defaults={"name": ASSOCIATION_NAME, "uscc": _code("440300"), "region": region},
    )
    AssociationOfficer.objects.get_or_create(user=officer, association=association)
    members = [subject]
    for name, seed in MEMBERS:
        member, _created = Subject.objects.get_or_create(
            code=_code(seed),
            defaults={"kind": Subject.Kind.COMPANY, "name": name, "region": region},
        )
        members.append(member)
    for member in members:
        AssociationMembership.objects.get_or_create(
            association=association,
            subject=member,
            defaults={"joined_on": datetime.date(2026, 1, 5)},
        )
    template, _created = CommitmentTemplate.objects.get_or_create(
        code=SELF_DISCIPLINE_CODE,
        version=1,
        defaults={
            "kind": CommitmentTemplate.Kind.SELF_DISCIPLINE,
            "matter": matter,
            "fields": [],
            "verification_method": "publicity",
            "verification_window": 20,
            "publicity_days": 365,
            **both_languages(**SELF_DISCIPLINE_TEXTS),
        },
    )
    if template.status == CommitmentTemplate.Status.DRAFT:
        template.activate()
        template.save()
    if not BulkIssue.objects.filter(association=association).exists():
        lines = ["统一社会信用代码,名称,联系人,联系电话"]
        # The demo company stays a member without a pledge yet: its representative's pages
        # (and the authorisation matrix built on them) are those of the other demos.
        lines += [f"{member.code},{member.name},王经理,13800000000" for member in members[1:]]
        lines.append("914403000000000000,深圳市非会员有限公司,,")
        bulk = bulk_issue_upload(
            by=officer,
            association=association,
            template=template,
            upload=SimpleUploadedFile("会员名单.csv", "\n".join(lines).encode("gb18030")),
            original_name="会员名单.csv",
        )
        bulk_issue_process(bulk_issue_id=bulk.pk)
    return association
