"""Fixtures for the signing tests: an isolated CA and document root per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from signing.identity import SignerIdentity
from signing.render.commitment import CommitmentDocument
from tests.signing.files import signing_files_in


@pytest.fixture(autouse=True)
def signing_paths(settings, tmp_path: Path, db) -> Iterator[Path]:
    """Point the CA and the document store at this test's own folder (the CRL needs the db)."""
    with signing_files_in(settings, tmp_path):
        yield tmp_path


@pytest.fixture
def company() -> SignerIdentity:
    """A company applicant, acting through one user."""
    return SignerIdentity(
        subject_code="91310000MA1FL0000X",
        subject_name="上海示例餐饮管理有限公司",
        is_organisation=True,
        user_label="user-42",
    )


@pytest.fixture
def person() -> SignerIdentity:
    """A natural-person applicant."""
    return SignerIdentity(
        subject_code="31010119900101001X",
        subject_name="张三",
        is_organisation=False,
        user_label="user-7",
    )


@pytest.fixture
def commitment() -> CommitmentDocument:
    """A food-permit commitment in Chinese."""
    return CommitmentDocument(
        reference="CN-2025-000123",
        title="食品经营许可告知承诺书",
        template_label="food-permit v1",
        subject_name="上海示例餐饮管理有限公司",
        subject_code="91310000MA1FL0000X",
        matter="食品经营许可（新办）",
        notice=(
            ("一、许可条件", "申请人应当具有与经营的食品品种、数量相适应的场所。"),
            ("二、材料要求", "营业执照复印件；食品安全管理制度文本。"),
        ),
        commitment_text="本单位郑重承诺：所填写的信息真实、准确、完整，愿意承担不实承诺的法律责任。",
        fields=(("经营场所", "上海市浦东新区世纪大道100号"), ("联系人", "李四 <li@example.cn>")),
        obligations=(("提交培训记录", "2025-09-30 前"),),
    )
