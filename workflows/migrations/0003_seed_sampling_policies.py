"""Seed the spot-check ratios per risk grade (A ≤ 5 %, B 5–20 %, C 21–60 %, D 61–100 %).

Administrators change them in the admin; a new row with a later date replaces a ratio
from that date, so earlier draws keep the ratio they were made with.
"""

import datetime
from decimal import Decimal

from django.db import migrations

POLICIES = {
    "A": ("0", "0.05"),
    "B": ("0.05", "0.20"),
    "C": ("0.21", "0.60"),
    "D": ("0.61", "1"),
}


def seed(apps, schema_editor):
    policy = apps.get_model("workflows", "SamplingPolicy")
    for grade, (low, high) in POLICIES.items():
        policy.objects.get_or_create(
            grade=grade,
            effective_from=datetime.date(2020, 1, 1),
            defaults={
                "ratio_min": Decimal(low),
                "ratio_max": Decimal(high),
                "note": "differential supervision: spot-check ratio by risk grade",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_viewflow_indexes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
