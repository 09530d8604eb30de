from django.db import migrations

ORDER_36 = "国家发展和改革委员会令第36号《信用修复管理办法》；国办发〔2025〕22号"


def seed(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [("credit", "0003_repair_objection")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
