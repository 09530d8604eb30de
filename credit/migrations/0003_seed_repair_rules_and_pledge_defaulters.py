"""Seed the default repair rule (Order No. 36) and the list of pledge defaulters."""

from django.db import migrations

ORDER_36 = "国家发展和改革委员会令第36号《信用修复管理办法》；国办发〔2025〕22号"


def seed_repair_rules(apps, schema_editor):
    RepairRule = apps.get_model("credit", "RepairRule")
    RepairRule.objects.update_or_create(
        category=None,
        defaults={
            "is_repairable": True,
            "max_repairs": 2,
            "period_months": 12,
            "legal_basis": ORDER_36 + "；地方规定可限制修复次数",
        },
    )


BASIS = "招标投标领域信用承诺替代投标保证金相关规定；国家发展改革委等部门关于在招标投标领域推行信用承诺制的通知"


def seed_pledge_defaulters(apps, schema_editor):
    CreditList = apps.get_model("credit", "CreditList")
    CreditList.objects.update_or_create(
        code="pledge-defaulters",
        defaults={
            "name": "Bidding pledge defaulters",
            "kind": "black",
            "legal_basis": BASIS,
            "entry_criteria": (
                "A bidding pledge breached (withdrawal after the bid deadline, the winner "
                "refusing to sign or to provide the performance guarantee) and the amount "
                "not paid by the deadline of the non-refund notice."
            ),
            "exit_criteria": "The listing period has passed and the amount has been paid.",
            "entry_points_threshold": None,
            "entry_serious_breaches": None,
            "notice_days": 0,
            "min_listing_months": 12,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_seed_rules_and_catalogue")]
    operations = [
        migrations.RunPython(seed_repair_rules, migrations.RunPython.noop),
        migrations.RunPython(seed_pledge_defaulters, migrations.RunPython.noop),
    ]
