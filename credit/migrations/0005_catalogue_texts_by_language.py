"""Give the seeded credit rules their Chinese and English texts, and put the texts of rows an
administrator added in their language's column.

Seeded rows are found by code and get both languages from the seed migrations, whatever their
single column held before (it held English on databases migrated before ADR 0015).
"""

from importlib import import_module

from django.db import migrations

from directory.translation import translations_fill

SEEDS = import_module("credit.migrations.0002_seed_rules_and_catalogue")
REPAIR_SEEDS = import_module("credit.migrations.0003_seed_repair_rules_and_pledge_defaulters")


def both(row, texts: dict) -> None:
    """Write each ``field`` (Chinese) and ``field_en`` of ``texts`` to the row's columns."""
    fields = [key for key in texts if f"{key}_en" in texts]
    for field in fields:
        setattr(row, field, texts[field])
        setattr(row, f"{field}_zh_hans", texts[field])
        setattr(row, f"{field}_en", texts[f"{field}_en"])
    row.save()


def fill(apps, schema_editor):
    RuleSet = apps.get_model("credit", "RuleSet")
    BreachCategory = apps.get_model("credit", "BreachCategory")
    MeasureType = apps.get_model("credit", "MeasureType")
    CreditList = apps.get_model("credit", "CreditList")
    RepairRule = apps.get_model("credit", "RepairRule")
    PublicityRule = apps.get_model("credit", "PublicityRule")

    for spec in SEEDS.RULE_SETS:
        for row in RuleSet.objects.filter(code=spec["code"]):
            both(row, spec)
    for code, name, name_en, _domain, basis, basis_en, _severity, _group in SEEDS.CATEGORIES:
        texts = {"name": name, "name_en": name_en, "legal_basis": basis, "legal_basis_en": basis_en}
        for row in BreachCategory.objects.filter(code=code):
            both(row, texts)
    for spec in SEEDS.MEASURE_TYPES:
        for row in MeasureType.objects.filter(code=spec["code"]):
            both(row, spec)
    for spec in SEEDS.LISTS:
        for row in CreditList.objects.filter(code=spec["code"]):
            both(row, spec)
    defaulters = {
        **REPAIR_SEEDS.PLEDGE_DEFAULTERS,
        **{f"{key}_en": text for key, text in REPAIR_SEEDS.PLEDGE_DEFAULTERS_EN.items()},
        "legal_basis": REPAIR_SEEDS.BASIS,
        "legal_basis_en": REPAIR_SEEDS.BASIS_EN,
    }
    for row in CreditList.objects.filter(code="pledge-defaulters"):
        both(row, defaulters)
    repair = {"legal_basis": REPAIR_SEEDS.REPAIR_BASIS, "legal_basis_en": REPAIR_SEEDS.REPAIR_BASIS_EN}
    for row in RepairRule.objects.filter(category=None):
        both(row, repair)

    translations_fill(RuleSet, ("name", "legal_basis"))
    translations_fill(BreachCategory, ("name", "legal_basis"))
    translations_fill(MeasureType, ("name", "legal_basis", "description", "applied_by"))
    translations_fill(CreditList, ("name", "legal_basis", "entry_criteria", "exit_criteria"))
    translations_fill(RepairRule, ("legal_basis",))
    translations_fill(PublicityRule, ("note",))


class Migration(migrations.Migration):
    dependencies = [("credit", "0004_catalogue_in_two_languages")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
