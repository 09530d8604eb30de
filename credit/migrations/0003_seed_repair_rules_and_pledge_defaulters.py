"""Seed the default repair rule (Order No. 36) and the list of pledge defaulters."""

from django.db import migrations

ORDER_36 = "国家发展和改革委员会令第36号《信用修复管理办法》；国办发〔2025〕22号"


REPAIR_BASIS = ORDER_36 + "；地方规定可限制修复次数"
# English of what this migration seeds, written by 0004_catalogue_in_two_languages.
REPAIR_BASIS_EN = (
    "Measures for the administration of credit repair (NDRC Order No. 36); Guo Ban Fa [2025] "
    "No. 22; local rules may limit how often a record is repaired"
)
BASIS_EN = (
    "Provisions on credit commitments in place of bid deposits in tendering and bidding; "
    "Notice of the NDRC and other departments on credit commitments in tendering and bidding"
)
PLEDGE_DEFAULTERS = {
    "name": "投标信用承诺失信主体名单",
    "entry_criteria": (
        "违反投标信用承诺（投标截止后撤回投标文件、中标人拒绝签订合同或者拒绝提交履约保证金），"
        "且未在不予退还通知规定的期限内缴纳相应款项。"
    ),
    "exit_criteria": "列入期限届满，且已缴纳相应款项。",
}
PLEDGE_DEFAULTERS_EN = {
    "name": "Bidding pledge defaulters",
    "entry_criteria": (
        "A bidding pledge breached (withdrawal after the bid deadline, the winner "
        "refusing to sign or to provide the performance guarantee) and the amount "
        "not paid by the deadline of the non-refund notice."
    ),
    "exit_criteria": "The listing period has passed and the amount has been paid.",
}


def seed_repair_rules(apps, schema_editor):
    RepairRule = apps.get_model("credit", "RepairRule")
    RepairRule.objects.update_or_create(
        category=None,
        defaults={
            "is_repairable": True,
            "max_repairs": 2,
            "period_months": 12,
            "legal_basis": REPAIR_BASIS,
        },
    )


BASIS = "招标投标领域信用承诺替代投标保证金相关规定；国家发展改革委等部门关于在招标投标领域推行信用承诺制的通知"


def seed_pledge_defaulters(apps, schema_editor):
    CreditList = apps.get_model("credit", "CreditList")
    CreditList.objects.update_or_create(
        code="pledge-defaulters",
        defaults={
            **PLEDGE_DEFAULTERS,
            "kind": "black",
            "legal_basis": BASIS,
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
