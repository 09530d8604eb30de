"""Differential supervision (spot-check draws), warnings before the due date, the dashboard,
and what a verification records: method, evidence files and the inspection."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commitments.errors import CommitmentError, ErrorCode
from commitments.lifecycle.models import Commitment, Verification, VerificationEvidence
from notifications.models import Notification
from tests.workflows.bulk import bulk_open_tasks
from tests.workflows.conftest import submit_commitment, task_of
from workflows.models import SamplingDraw, SamplingPolicy, VerificationTaskIndex
from workflows.sampling import sample_size, sampling_draw, sampling_replay
from workflows.services import verification_complete
from workflows.sla import sla_lines, verification_reminders_send

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%test\n"


# Sampling -----------------------------------------------------------------------------------


def test_the_seeded_policies_hold_the_ratios_per_grade(db):
    ratios = {p.grade: (p.ratio_min, p.ratio_max) for p in SamplingPolicy.objects.all()}

    assert ratios == {
        "A": (Decimal("0"), Decimal("0.05")),
        "B": (Decimal("0.05"), Decimal("0.20")),
        "C": (Decimal("0.21"), Decimal("0.60")),
        "D": (Decimal("0.61"), Decimal("1")),
    }


@pytest.mark.parametrize(
    "population,low,high,expected",
    [
        (100, "0", "0.05", 3),  # 2.5 rounds half up
        (100, "0.61", "1", 81),
        (10, "0.21", "0.60", 4),
        (3, "0.05", "0.20", 1),  # no whole number inside the range: the minimum, rounded up
        (0, "0.61", "1", 0),
    ],
)
def test_the_sample_size_stays_inside_the_ratio_range(population, low, high, expected):
    assert sample_size(population, Decimal(low), Decimal(high)) == expected


def test_a_draw_is_logged_and_reproducible(world, submitted_commitment):
    # given 20 open verifications of grade D and 20 of grade A
    bulk_open_tasks(submitted_commitment, 20, risk_grade="D")
    bulk_open_tasks(submitted_commitment, 20, risk_grade="A")
    VerificationTaskIndex.objects.filter(task_id=task_of(submitted_commitment).pk).update(
        risk_grade=""
    )

    # when the supervisor draws with a seed
    draw = sampling_draw(department=world.department, by=world.supervisor, seed="2026-11-22")

    # then the ratio per grade holds, the rows are marked and the draw is recorded
    assert len(draw.selected["D"]) == 16  # middle of 61–100 % of 20, rounded half up
    assert len(draw.selected["A"]) == 1
    assert draw.inputs["ungraded"] == 1
    assert VerificationTaskIndex.objects.filter(is_spot_check=True, method="on_site").count() == 17
    assert (draw.seed, draw.drawn_by) == ("2026-11-22", world.supervisor)
    # and replaying the inputs with the seed gives the same selection
    assert sampling_replay(draw=draw) == draw.selected


def test_the_same_seed_on_the_same_population_draws_the_same(world, submitted_commitment):
    bulk_open_tasks(submitted_commitment, 30, risk_grade="C")
    first = sampling_draw(department=world.department, by=world.supervisor, seed="s1")
    VerificationTaskIndex.objects.update(is_spot_check=False)

    second = sampling_draw(department=world.department, by=world.supervisor, seed="s1")
    VerificationTaskIndex.objects.update(is_spot_check=False)
    other = sampling_draw(department=world.department, by=world.supervisor, seed="s2")

    assert first.selected["C"] == second.selected["C"]
    assert first.selected["C"] != other.selected["C"]


def test_only_a_supervisor_draws(world, submitted_commitment):
    with pytest.raises(CommitmentError) as refused:
        sampling_draw(department=world.department, by=world.regulator)

    assert refused.value.code == ErrorCode.FORBIDDEN
    assert SamplingDraw.objects.count() == 0


def test_a_spot_checked_commitment_must_be_verified_on_site(world, submitted_commitment):
    task = task_of(submitted_commitment)
    VerificationTaskIndex.objects.filter(task=task).update(is_spot_check=True)

    with pytest.raises(CommitmentError) as refused:
        verification_complete(task=task, by=world.regulator, method="written", finding="fulfilled")
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID, "method")

    with pytest.raises(CommitmentError) as incomplete:
        verification_complete(task=task, by=world.regulator, method="on_site", finding="fulfilled")
    assert set(incomplete.value.fields) == {"inspected_on", "inspection_location"}
    assert Commitment.objects.get(pk=submitted_commitment.pk).status == "under_verification"

    verification = verification_complete(
        task=task,
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
        inspected_on=timezone.localdate(),
        inspection_location="南山区科技园1号",
        inspectors="张三、李四",
    )
    assert verification.detail.is_spot_check is True
    assert verification.detail.inspection_location == "南山区科技园1号"


# Evidence -----------------------------------------------------------------------------------


def test_evidence_files_are_kept_content_addressed(world, submitted_commitment):
    task = task_of(submitted_commitment)

    verification = verification_complete(
        task=task,
        by=world.regulator,
        method="online",
        finding="fulfilled",
        evidence_summary="国家企业信用信息公示系统 查询结果一致",
        files=[SimpleUploadedFile("现场照片.png", PNG), SimpleUploadedFile("记录.pdf", PDF)],
    )

    stored = list(verification.evidence.order_by("pk"))
    digest = hashlib.sha256(PNG).hexdigest()
    assert [(e.original_name, e.content_type, e.size) for e in stored] == [
        ("现场照片.png", "image/png", len(PNG)),
        ("记录.pdf", "application/pdf", len(PDF)),
    ]
    assert stored[0].file.name == f"evidence/{digest[:2]}/{digest}.png"
    with default_storage.open(stored[0].file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == stored[0].sha256 == digest
    assert verification.detail.evidence_summary == "国家企业信用信息公示系统 查询结果一致"


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00"), "a.exe is not a PDF, PNG or JPEG file."),
        (SimpleUploadedFile("fake.png", b"GIF89a"), "fake.png is not a PDF, PNG or JPEG file."),
        (SimpleUploadedFile("empty.pdf", b""), "empty.pdf is empty."),
        (
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
            "big.pdf is larger than 10 MB.",
        ),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_recorded(
    world, submitted_commitment, upload, message
):
    task = task_of(submitted_commitment)

    with pytest.raises(CommitmentError) as refused:
        verification_complete(
            task=task, by=world.regulator, method="on_site", finding="fulfilled", files=[upload]
        )

    assert (refused.value.field, str(refused.value.message)) == ("evidence", message)
    assert Verification.objects.count() == 0
    assert VerificationEvidence.objects.count() == 0
    assert VerificationTaskIndex.objects.filter(task=task).exists()


def test_evidence_is_served_to_the_department_only(world, submitted_commitment, client):
    verification = verification_complete(
        task=task_of(submitted_commitment),
        by=world.regulator,
        method="on_site",
        finding="fulfilled",
        files=[SimpleUploadedFile("photo.png", PNG)],
    )
    evidence = verification.evidence.get()
    url = reverse("workflows:evidence", args=[evidence.pk])

    client.force_login(world.foreign_regulator)
    assert client.get(url).status_code == 404
    client.force_login(world.other_regulator)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_the_verify_page_takes_files_and_the_inspection(world, submitted_commitment, client):
    task = task_of(submitted_commitment)
    client.force_login(world.regulator)

    response = client.post(
        reverse("workflows:verify", args=[task.pk]),
        {
            "method": "on_site",
            "finding": "fulfilled",
            "evidence_summary": "场所与承诺一致",
            "inspected_on": timezone.localdate().isoformat(),
            "inspection_location": "南山区",
            "inspectors": "王五",
            "evidence_files": [SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0rest")],
        },
    )

    assert response.status_code == 302
    verification = Verification.objects.get(commitment=submitted_commitment)
    assert verification.detail.inspectors == "王五"
    assert verification.evidence.get().content_type == "image/jpeg"
    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert "场所与承诺一致" in page and "p.jpg" in page


# Warnings and the dashboard -------------------------------------------------------------------


def test_regulators_are_warned_once_before_the_due_date(world, submitted_commitment):
    row = VerificationTaskIndex.objects.get(task=task_of(submitted_commitment))

    with time_machine.travel(row.remind_at - datetime.timedelta(minutes=1)):
        assert verification_reminders_send() == 0
    with time_machine.travel(row.remind_at + datetime.timedelta(minutes=1)):
        assert verification_reminders_send() == 1
        assert verification_reminders_send() == 0

    warned = Notification.objects.filter(key__startswith="workflows:reminder:")
    assert list(warned.values_list("recipient__username", flat=True)) == ["regulator"]
    assert submitted_commitment.reference in warned.get().subject


def test_a_queued_task_warns_the_departments_regulators(world, submitted_commitment):
    from workflows.services import verification_task_release

    task = verification_task_release(task=task_of(submitted_commitment), by=world.regulator)
    row = VerificationTaskIndex.objects.get(task=task)

    with time_machine.travel(row.remind_at + datetime.timedelta(minutes=1)):
        verification_reminders_send()

    assert sorted(
        Notification.objects.filter(key__startswith="workflows:reminder:").values_list(
            "recipient__username", flat=True
        )
    ) == ["regulator", "regulator2"]


def test_the_dashboard_counts_backlog_ageing_and_on_time(world, client):
    # given one verified on time, one verified late, one open and overdue
    on_time, late, open_one = (submit_commitment(world) for _ in range(3))
    verification_complete(
        task=task_of(on_time), by=world.regulator, method="on_site", finding="fulfilled"
    )
    with time_machine.travel(late.verification_due_at + datetime.timedelta(hours=1)):
        verification_complete(
            task=task_of(late), by=task_of(late).owner, method="on_site", finding="fulfilled"
        )
        lines = sla_lines(department_ids=[world.department.pk])

    (line,) = lines
    assert (line.backlog, line.overdue, line.verified, line.on_time) == (1, 1, 2, 1)
    assert line.on_time_percent == 50.0
    assert sum(line.ages) == 1

    client.force_login(world.supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("workflows:dashboard")).content.decode()
    assert 'data-testid="chart-on-time"' in page and "<rect" in page
    assert 'data-testid="backlog-total">1<' in page
    assert client.get(reverse("workflows:dashboard")).status_code == 200

    client.force_login(world.regulator)
    assert client.get(reverse("workflows:dashboard")).status_code == 403


def test_the_team_page_shows_the_workload(world, client):
    submit_commitment(world)
    submit_commitment(world)
    client.force_login(world.supervisor)

    page = client.get(reverse("workflows:team")).content.decode()

    assert page.count('data-testid="workload-row"') == 3
    assert 'data-user="regulator"' in page


def test_the_sampling_page_draws_and_shows_the_replay(world, submitted_commitment, client):
    bulk_open_tasks(submitted_commitment, 10, risk_grade="D")
    client.force_login(world.supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        reverse("workflows:sampling"),
        {"department": world.department.pk, "seed": "abc"},
        follow=True,
    )

    page = response.content.decode()
    assert "Drawn with seed abc: 8 commitments get an on-site spot check." in page
    assert "same result" in page


@pytest.mark.parametrize(
    "url_name", ["inbox", "queue", "team", "delegations", "dashboard", "sampling"]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_workspace_page_renders_in_both_languages(
    world, submitted_commitment, client, url_name, language
):
    client.force_login(world.supervisor)

    response = client.get(reverse(f"workflows:{url_name}"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert 'data-testid="nav-team"' in response.content.decode()
