"""A members' file in the admin: its columns, rows, reasons and history in the reader's
language (they are stored as stable codes and reasons recorded in English)."""

from __future__ import annotations

from django.urls import reverse

from commitments.associations.services.issue import bulk_issue_process, bulk_issue_upload
from tests.commitments.associations.conftest import csv_bytes, member_row, upload


def test_a_processed_file_reads_in_the_readers_language(guild, admin_pages):
    first, second, _third = guild.members
    wrong = first.code[:-1] + ("0" if first.code[-1] != "0" else "1")
    data = csv_bytes([member_row(second), [wrong, first.name, "王经理", "13800000000"]])
    bulk = bulk_issue_upload(
        by=guild.officer,
        association=guild.association,
        template=guild.template,
        upload=upload(data),
        original_name="members.csv",
    )
    bulk_issue_process(bulk_issue_id=bulk.pk)

    english, chinese = admin_pages(reverse("admin:commitments_bulkissue_change", args=[bulk.pk]))
    history_en, history_zh = admin_pages(
        reverse("admin:commitments_bulkissue_history", args=[bulk.pk])
    )

    assert "统一社会信用代码, 名称, 联系人, 联系电话" in chinese
    assert "unified social credit code, name, contact person, phone" in english
    assert "代码的校验位不正确：请与营业执照核对。" in chinese  # a message, not its code
    assert "code_checksum" not in chinese and "code_checksum" not in english
    assert f"{bulk.pk}:3 已驳回" in chinese and f"{bulk.pk}:3 Rejected" in english
    assert "会员名单处理完毕" in history_zh and "members&#x27; file processed" in history_en
