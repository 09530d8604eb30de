from django.db import migrations

BASIS = "招标投标领域信用承诺替代投标保证金相关规定；国家发展改革委等部门关于在招标投标领域推行信用承诺制的通知"


def seed(apps, schema_editor):
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
    dependencies = [("credit", "0005_bid_pledges")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
