"""Give every template version without a warning ladder the default one (ADR 0009).

A frozen copy of ``commitments.services.obligations.DEFAULT_LADDER`` as it was when this
migration was written: the migration must not change when the service's default does.
Obligations already signed are planned by ``manage.py warning_schedule_backfill``.
"""

from django.db import migrations
from django.utils import timezone

ALL = ["email", "sms", "inapp"]
WORKING_DAYS = "working_days"
# (relative, offset, unit, audience, channels); None as offset is the template's grace period.
LADDER = (
    ("before", 7, WORKING_DAYS, "applicant", ["email", "inapp"]),
    ("before", 1, WORKING_DAYS, "applicant", ALL),
    ("at", 0, WORKING_DAYS, "applicant", ALL),
    ("after", 1, WORKING_DAYS, "applicant", ALL),
    ("after", 1, WORKING_DAYS, "regulator", ["email", "inapp"]),
    ("after", None, None, "applicant", ALL),
    ("after", None, None, "regulator", ["email", "inapp"]),
)
REASON = "default warning ladder (migration 0007)"


def _rungs(grace: int, grace_unit: str) -> list[dict]:
    rungs, seen = [], set()
    for relative, offset, unit, audience, channels in LADDER:
        if offset is None:
            offset, unit = grace, grace_unit
        key = (relative, offset, unit, audience)
        if key in seen or (relative != "at" and offset < 1):
            continue
        seen.add(key)
        rungs.append(
            {
                "relative": relative,
                "offset": offset,
                "unit": unit,
                "audience": audience,
                "channels": list(channels),
            }
        )
    return rungs


def seed(apps, schema_editor):
    CommitmentTemplate = apps.get_model("commitments", "CommitmentTemplate")
    WarningStep = apps.get_model("commitments", "WarningStep")
    WarningPolicy = apps.get_model("commitments", "WarningPolicy")
    HistoricalWarningStep = apps.get_model("commitments", "HistoricalWarningStep")
    policies = {
        policy.template_id: (policy.grace_period, policy.grace_unit)
        for policy in WarningPolicy.objects.all()
    }
    now = timezone.now()
    for template_id in (
        CommitmentTemplate.objects.filter(warning_steps__isnull=True)
        .values_list("pk", flat=True)
        .order_by("pk")
    ):
        grace = policies.get(template_id, (5, WORKING_DAYS))
        for rung in _rungs(*grace):
            step = WarningStep.objects.create(template_id=template_id, **rung)
            HistoricalWarningStep.objects.create(
                id=step.pk,
                template_id=template_id,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
                **rung,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0006_history_reason_as_text"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
