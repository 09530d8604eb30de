"""Every Celery task and every beat entry runs on a real worker and does its work.

The tasks a worker registers and the entries of ``CELERY_BEAT_SCHEDULE`` are listed from the
app itself, so a new task or beat entry without a scenario here fails the suite. Each
scenario makes its task's work due *now* (the worker has the real clock), sends the task the
way beat does (beat's own ``Scheduler.apply_async`` with the entry's arguments) or the way
the code enqueues it (its ids), waits for the worker's result and fails on any state but
``SUCCESS`` (the task's own exception is re-raised), then checks what the task did.

PostgreSQL only: the worker is another process and must see the test's committed rows.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from celery.backends.redis import RedisBackend
from celery.beat import ScheduleEntry, Scheduler
from celery.result import AsyncResult
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from commitments.associations import tasks as association_tasks  # noqa: F401  (registers them)
from commitments.associations.models import BulkIssue
from commitments.associations.services.issue import bulk_issue_upload
from commitments.lifecycle.models import Commitment, SigningRequest
from commitments.lifecycle.services.commitments import commitment_create
from commitments.obligations.models import WarningSchedule, WarningStep
from commitments.pledges.models import BidPledge
from config import celery_app
from credit.opendata.models import OpenDataEvent
from credit.opendata.selectors import open_data_day_open
from credit.opendata.services.events import open_data_event_record
from credit.record.models.breaches import Breach, ListEntry
from credit.record.services.pledge_defaulters import PLEDGE_DEFAULTERS
from credit.reports.models import SealedRepairNotice
from directory.partitions.selectors import managed_tables
from notifications.models import Notification, OutboxMessage
from notifications.services.inbox import notification_send
from signing.models import ArchiveTimestamp, DocumentVersion
from tests.factories import (
    AssociationFactory,
    BidPledgeFactory,
    BreachFactory,
    CreditListFactory,
    DelegationFactory,
    ListEntryFactory,
    ObligationFactory,
    RepairNoticeFactory,
    SubjectFactory,
    TemplateFactory,
    UserFactory,
    WarningScheduleFactory,
    make_uscc,
)
from tests.processes import start, stop, wait_for, worker_command
from tests.signing.files import signing_files_in
from tests.workflows.conftest import FIELD_VALUES, submit_commitment, task_of
from workflows.verification.flows import InformCommitFlow
from workflows.verification.models import VerificationTaskIndex

RESULT_TIMEOUT = 120


@dataclass
class Prepared:
    """Work made due for one task: what to check once it ran, and its arguments if beat
    does not run it (beat's own entry gives the arguments of a scheduled task)."""

    check: Callable[[object], None]
    kwargs: dict = field(default_factory=dict)


def _ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def _timers(world) -> Prepared:
    commitment = submit_commitment(world)
    Commitment.objects.filter(pk=commitment.pk).update(verification_due_at=_ago(minutes=1))
    Task.objects.filter(
        process_id=commitment.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ).update(scheduled=_ago(minutes=1))

    def check(fired):
        assert fired == 1
        assert task_of(commitment, InformCommitFlow.escalate).owner == world.supervisor

    return Prepared(check)


def _warnings(world) -> Prepared:
    step, _created = WarningStep.objects.update_or_create(  # the default ladder's rung
        template=world.template,
        relative="at",
        offset=0,
        audience="applicant",
        defaults={"channels": ["email", "inapp"]},
    )
    commitment = submit_commitment(world)
    schedules = [
        WarningScheduleFactory(
            obligation=ObligationFactory(commitment=commitment), step=step, due_at=_ago(minutes=1)
        )
        for _index in range(2)
    ]

    def check(counts):
        assert counts == {
            "warned": 2,
            "breached": 0,
            "skipped": 0,
            "held": 0,
            "refused": 0,
            "messages": 4,  # e-mail and in-app to the applicant, for each warning
        }
        assert {
            s.status for s in WarningSchedule.objects.filter(pk__in=[s.pk for s in schedules])
        } == {"done"}
        # the sweep started the delivery (another task on the same worker): all sent
        wait_for(
            lambda: not OutboxMessage.objects.exclude(status="sent").exists(),
            what="the outbox delivered by the task the sweep started",
        )

    return Prepared(check)


def _reminders(world) -> Prepared:
    commitment = submit_commitment(world)
    VerificationTaskIndex.objects.filter(task=task_of(commitment)).update(remind_at=_ago(minutes=1))

    def check(reminded):
        assert reminded == 1
        warned = Notification.objects.get(key__startswith="workflows:reminder:")
        assert (warned.recipient, commitment.reference in warned.subject) == (world.regulator, True)

    return Prepared(check)


def _delegations(world) -> Prepared:
    held = task_of(submit_commitment(world))
    delegation = DelegationFactory(
        department=world.department, delegator=world.regulator, delegate=world.other_regulator
    )

    def check(applied):
        assert applied == 1
        held.refresh_from_db()
        delegation.refresh_from_db()
        assert (held.owner, delegation.applied_at is not None) == (world.other_regulator, True)

    return Prepared(check)


def _retimestamp(world) -> Prepared:
    commitment = submit_commitment(world)
    archive = ArchiveTimestamp.objects.get(document=commitment.signed_document)
    ArchiveTimestamp.objects.filter(pk=archive.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=10)
    )

    def check(renewed):
        assert renewed == 1
        assert DocumentVersion.objects.filter(previous=commitment.signed_document).count() == 1
        archive.refresh_from_db()
        assert archive.is_renewed is True

    return Prepared(check)


def _publication_end(world) -> Prepared:
    breach = BreachFactory(
        subject=world.subject, published=True, record_date=timezone.localdate().replace(year=2024)
    )

    def check(ended):
        breach.refresh_from_db()
        assert (ended, breach.status) == (1, Breach.Status.PUBLICATION_ENDED)

    return Prepared(check)


def _list_enter(world) -> Prepared:
    entry = ListEntryFactory(
        subject=world.subject,
        prior_notice_sent_at=_ago(days=11),
        enter_not_before=_ago(days=1).date(),
        credit_list__code="tasks",
    )

    def check(entered):
        entry.refresh_from_db()
        assert (entered, entry.status) == (1, ListEntry.Status.LISTED)

    return Prepared(check)


def _list_exit(world) -> Prepared:
    entry = ListEntryFactory(
        subject=world.subject,
        listed=True,
        entered_on=_ago(days=400).date(),
        exit_not_before=_ago(days=1).date(),
        credit_list__code="tasks",
    )

    def check(ended):
        entry.refresh_from_db()
        assert (ended, entry.status) == (1, ListEntry.Status.EXITED)

    return Prepared(check)


def _pledge_defaults(world) -> Prepared:
    # the list a migration seeds (a transactional test's flush empties every table)
    CreditListFactory(code=PLEDGE_DEFAULTERS, notice_days=0, min_listing_months=12)
    pledge = BidPledgeFactory(
        subject=world.subject,
        pledged_by=world.applicant,
        noticed=True,
        noticed_on=_ago(days=20).date(),
        payment_due=_ago(days=2).date(),
    )

    def check(listed):
        pledge.refresh_from_db()
        assert (listed, pledge.status) == (1, BidPledge.Status.LISTED)

    return Prepared(check)


def _notices_seal(world) -> Prepared:
    """A repair notice whose seal the after-commit kick never made (beat's sweep)."""
    notice = RepairNoticeFactory(breach__subject=world.subject)

    def check(sealed):
        assert sealed >= 1
        assert SealedRepairNotice.objects.filter(notice=notice).count() == 1

    return Prepared(check)


def _open_data_days(world) -> Prepared:
    """An open data event recorded two days ago: its day's CSV is due (and yesterday's)."""
    event = open_data_event_record(
        kind=OpenDataEvent.Kind.PUBLICATION_SUSPENDED,
        subject=world.subject,
        effective_on=_ago(days=2).date(),
        details={},
    )
    OpenDataEvent.objects.filter(pk=event.pk).update(created_at=_ago(days=2))
    day = timezone.localdate(_ago(days=2))

    def check(written):
        assert written == 2
        opened = open_data_day_open(day=day)  # the worker's file, from the shared store
        with opened.body:
            rows = opened.body.read().decode("utf-8-sig").split("\r\n")
        assert [row.split(",")[0] for row in rows[1:-1]] == [str(event.leaf_index)]

    return Prepared(check)


def _partitions(world) -> Prepared:
    """Every partitioned table maintained: partitions made ahead, the default emptied."""
    tables = set(managed_tables())

    def check(done):
        assert tables and set(done) == tables
        assert all(set(upkeep) == {"created", "dropped", "moved"} for upkeep in done.values())

    return Prepared(check)


def _deliver_outbox(world) -> Prepared:
    """A notification's e-mail, written to the outbox with it (beat's ``deliver-outbox``)."""
    notification = notification_send(
        recipient=world.applicant, key=f"tasks-{uuid.uuid4().hex}", subject="通知", body="正文"
    )
    email = OutboxMessage.objects.get(key=f"notification:{notification.pk}:email")

    def check(counts):
        email.refresh_from_db()
        assert (counts, email.status) == ({"sent": 1, "failed": 0, "dead": 0}, "sent")

    return Prepared(check)


def _waiting_signature(world) -> tuple[Commitment, SigningRequest]:
    """A draft whose signature waits for the timestamp service, its back-off passed."""
    draft = commitment_create(
        by=world.applicant,
        subject=world.subject,
        template=world.template,
        field_values=FIELD_VALUES,
    )
    request = SigningRequest.objects.create(commitment=draft, requested_by=world.applicant)
    SigningRequest.objects.filter(pk=request.pk).update(updated_at=_ago(minutes=5))
    return draft, request


def _signed_after_all(draft: Commitment, request: SigningRequest, outcome, expected) -> None:
    draft.refresh_from_db()
    request.refresh_from_db()
    assert (outcome, draft.status, request.status) == (
        expected,
        Commitment.Status.UNDER_VERIFICATION,
        SigningRequest.Status.COMPLETED,
    )


def _signing_complete(world) -> Prepared:
    draft, request = _waiting_signature(world)

    def check(outcome):
        _signed_after_all(draft, request, outcome, "done")

    return Prepared(check, kwargs={"request_id": request.pk})


def _signing_resume(world) -> Prepared:
    draft, request = _waiting_signature(world)

    def check(outcomes):
        _signed_after_all(draft, request, outcomes, {"done": 1, "failed": 0, "pending": 0})

    return Prepared(check)


def _members_file(world, rows: int = 2):
    """An association of the world's city, a members' file uploaded (one row not a member)."""
    officer = UserFactory()
    members = [SubjectFactory(region=world.region) for _n in range(rows)]
    association = AssociationFactory(region=world.region, officers=[officer], members=members)
    template = TemplateFactory(
        matter=world.matter, kind="self_discipline", fields=[], obligations=False
    )
    lines = ["code,name", *(f"{m.code},{m.name}" for m in members), f"{make_uscc()},外人公司"]
    return bulk_issue_upload(
        by=officer,
        association=association,
        template=template,
        upload=SimpleUploadedFile("m.csv", "\n".join(lines).encode("gb18030")),
        original_name="m.csv",
    )


def _bulk_issue(world) -> Prepared:
    bulk = _members_file(world)

    def check(outcome):
        assert outcome == {"status": "done", "rows_done": 3}
        assert list(bulk.rows.values_list("outcome", flat=True)) == ["issued", "issued", "rejected"]

    return Prepared(check, kwargs={"bulk_issue_id": bulk.pk})


def _bulk_resume(world) -> Prepared:
    bulk = _members_file(world)
    BulkIssue.objects.filter(pk=bulk.pk).update(created_at=_ago(minutes=10))  # its kick was lost

    def check(requeued):
        assert requeued == 1
        wait_for(
            lambda: BulkIssue.objects.get(pk=bulk.pk).status == "done",
            what="the file the resume sweep re-queued",
        )

    return Prepared(check)


SCENARIOS: dict[str, Callable[..., Prepared]] = {
    "commitments.associations.tasks.bulk_issue_process_task": _bulk_issue,
    "commitments.associations.tasks.bulk_issues_resume_task": _bulk_resume,
    "workflows.tasks.workflow_timers_fire_task": _timers,
    "commitments.obligations.tasks.obligation_warnings_sweep_task": _warnings,
    "workflows.verification.tasks.verification_reminders_send_task": _reminders,
    "workflows.verification.tasks.delegations_apply_task": _delegations,
    "signing.tasks.archive_retimestamp_task": _retimestamp,
    "credit.record.tasks.breach_publication_end_due_task": _publication_end,
    "credit.record.tasks.list_entries_enter_due_task": _list_enter,
    "credit.record.tasks.list_entries_exit_due_task": _list_exit,
    "commitments.pledges.tasks.bid_pledge_defaults_sweep_task": _pledge_defaults,
    "notifications.tasks.outbox_deliver_task": _deliver_outbox,
    "credit.reports.tasks.repair_notices_seal_due_task": _notices_seal,
    "directory.partitions.tasks.partitions_maintain_task": _partitions,
    "credit.opendata.tasks.open_data_days_build_task": _open_data_days,
    "workflows.verification.tasks.commitment_signing_complete_task": _signing_complete,
    "workflows.verification.tasks.signing_requests_resume_task": _signing_resume,
}


def registered_task_names() -> set[str]:
    """The tasks a worker registers: every module Celery's loader imports (autodiscovery and
    ``CELERY_IMPORTS``), without Celery's own."""
    celery_app.loader.import_default_modules()
    return {name for name in celery_app.tasks if not name.startswith("celery.")}


def test_every_task_and_every_beat_entry_has_a_scenario():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= registered_task_names()  # beat names no task a worker lacks
    assert registered_task_names() == set(SCENARIOS)


@pytest.fixture(scope="module")
def shared_files(tmp_path_factory) -> Path:
    """The folder of the CA and documents that this module's test process and worker share."""
    return tmp_path_factory.mktemp("celery-files")


@pytest.fixture(scope="module")
def worker(shared_files, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A real worker on a queue of its own, storing results in Redis, with the test's files."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: needs a database both can open")
    queue = f"chengnuo-tasks-{uuid.uuid4().hex[:12]}"
    database = connection.settings_dict
    log = tmp_path_factory.mktemp("celery-log") / "worker.log"
    process = start(
        worker_command(queue=queue),
        env={
            "DJANGO_SETTINGS_MODULE": "tests.config.worker_settings",
            "CHENGNUO_TEST_DATA_DIR": str(shared_files),
            "DATABASE_URL": (
                f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "DATABASE_CONN_MAX_AGE": "0",  # no idle connection in the way of the test's flush
            "CHENGNUO_TEST_QUEUE": queue,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.CELERY_BROKER_URL,
        },
        log=log,
    )
    try:
        yield queue, log
    finally:
        stop(process)
        celery_app.connection_for_write().default_channel.client.delete(queue)


@pytest.fixture
def files(settings, shared_files) -> Iterator[None]:
    """Point this process at the worker's CA and documents (created on first use)."""
    settings.MEDIA_ROOT = shared_files / "media"  # the members' files the worker reads
    with signing_files_in(settings, shared_files):
        yield


def _send(name: str, prepared: Prepared, *, queue: str) -> str:
    """Send the task as beat would (its entry's arguments) or as the code does (ids)."""
    entries = {key: e for key, e in settings.CELERY_BEAT_SCHEDULE.items() if e["task"] == name}
    if not entries:
        return celery_app.tasks[name].apply_async(kwargs=prepared.kwargs, queue=queue).id
    ((key, entry),) = entries.items()
    beat = Scheduler(app=celery_app, lazy=True)
    options = {**entry.get("options", {}), "queue": queue}
    return beat.apply_async(
        ScheduleEntry(name=key, app=celery_app, **{**entry, "options": options})
    ).id


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(SCENARIOS), ids=lambda name: name.rpartition(".")[2])
def test_each_task_runs_on_a_real_worker_and_does_its_work(name, world, worker, files):
    queue, log = worker
    # given the task's work due now
    prepared = SCENARIOS[name](world)
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    pending_before = set(pending.values_list("pk", flat=True))

    # when beat (or the code) sends it and the worker runs it
    result = AsyncResult(
        _send(name, prepared, queue=queue),
        backend=RedisBackend(app=celery_app, url=settings.CELERY_BROKER_URL),
        app=celery_app,
    )
    try:
        value = result.get(timeout=RESULT_TIMEOUT)  # re-raises the task's error on FAILURE
    except Exception as error:
        raise AssertionError(f"{name} failed: {error!r}\n{log.read_text()[-4000:]}") from error
    finally:
        state = result.state
        result.forget()

    # then it succeeded and did its work
    assert state == "SUCCESS"
    prepared.check(value)
    # and what it kicked (the delivery of a notice it wrote) is over before the test's flush
    # truncates the tables under it
    wait_for(
        lambda: not pending.exclude(pk__in=pending_before).exists(),
        what="the deliveries the task kicked",
        timeout=RESULT_TIMEOUT,
    )
