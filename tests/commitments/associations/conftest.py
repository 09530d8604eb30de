"""An association of the world's city: an officer, three member companies (the world's subject
among them), a stranger company, and the self-discipline template it issues."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.catalogue.models import CommitmentTemplate
from tests.factories import AssociationFactory, SubjectFactory, TemplateFactory, UserFactory

HEADING = ["统一社会信用代码", "名称", "联系人", "联系电话"]


@dataclass
class Guild:
    association: object
    officer: object
    members: list
    outsider: object
    template: object


@pytest.fixture
def guild(world) -> Guild:
    officer = UserFactory(username="association-officer")
    members = [world.subject, *(SubjectFactory(region=world.region) for _n in range(2))]
    outsider = SubjectFactory(name="非会员公司", region=world.region)
    association = AssociationFactory(
        code="sz-catering",
        name="深圳市餐饮行业协会",
        region=world.region,
        officers=[officer],
        members=members,
    )
    template = TemplateFactory(
        matter=world.matter,
        code="catering-self-discipline",
        kind=CommitmentTemplate.Kind.SELF_DISCIPLINE,
        title="餐饮行业自律承诺书",
        title_en="Catering industry self-discipline pledge",
        fields=[],
        obligations=False,
    )
    return Guild(association, officer, members, outsider, template)


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", heading=None) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(heading or HEADING)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def member_row(subject, contact: str = "王经理", phone: str = "13800000000") -> list[str]:
    return [subject.code, subject.name, contact, phone]


def upload(data: bytes, name: str = "members.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")
