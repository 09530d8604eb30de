"""The kinds of commitment a city runs (GB/T 46277-2025), in Chinese and English, with their
lifecycle rules; every existing template keeps its kind code and finds its row here."""

from django.db import migrations

# Frozen here (the model's defaults may change later; this migration must not).
KINDS = [
    # code, position, (zh, en) name, (zh, en) description, rules
    (
        "inform_commit",
        1,
        ("告知承诺", "Inform-and-commit"),
        (
            "以承诺代替证明，先行审批，事后核查。",
            "Approval on the commitment instead of proof, verified afterwards.",
        ),
        {},
    ),
    (
        "supply_later",
        2,
        ("容缺受理", "Accept now, supply later"),
        (
            "申请材料非关键要件缺失的先行受理，缺件在期限内补齐；逾期未补的，按事项约定暂停或撤销审批并记录失信。",
            "The application is accepted with non-essential items missing; each item is "
            "supplied by its deadline. An item not supplied suspends or revokes the approval "
            "as the matter states, and a breach is recorded.",
        ),
        {"items_supplied_later": True},
    ),
    (
        "credit_repair",
        3,
        ("信用修复承诺", "Credit repair commitment"),
        (
            "申请信用修复时作出的公开承诺。",
            "The public commitment a credit repair application requires.",
        ),
        {"has_own_process": True, "is_published": True},
    ),
    (
        "bidding_pledge",
        4,
        ("投标承诺", "Bidding pledge"),
        (
            "以信用承诺代替投标保证金。",
            "A credit pledge in place of the bid deposit.",
        ),
        {"has_own_process": True},
    ),
    (
        "self_discipline",
        5,
        ("行业自律承诺", "Industry self-discipline"),
        (
            "行业协会组织会员作出的自律承诺。",
            "A self-discipline pledge an industry association asks its members to sign.",
        ),
        {},
    ),
    (
        "voluntary_public",
        6,
        ("主动公示承诺", "Voluntary public commitment"),
        (
            "经营主体自愿作出并在公示期内向社会公开的承诺，不设核查。",
            "A commitment a business makes of its own accord, published for its term; "
            "not verified.",
        ),
        {"is_verified": False, "creates_obligations": False, "is_published": True},
    ),
]


def seed(apps, schema_editor):
    Kind = apps.get_model("commitments", "CommitmentKind")
    Template = apps.get_model("commitments", "CommitmentTemplate")
    for code, position, (zh, en), (zh_text, en_text), rules in KINDS:
        Kind.objects.update_or_create(
            code=code,
            defaults={
                "position": position,
                "name": zh,
                "name_zh_hans": zh,
                "name_en": en,
                "description": zh_text,
                "description_zh_hans": zh_text,
                "description_en": en_text,
                **rules,
            },
        )
    # A template of a kind this migration does not know keeps working under default rules.
    known = {row[0] for row in KINDS}
    for code in Template.objects.exclude(kind__in=known).values_list("kind", flat=True).distinct():
        Kind.objects.get_or_create(
            code=code, defaults={"position": 99, "name": code, "name_zh_hans": code}
        )


def unseed(apps, schema_editor):
    apps.get_model("commitments", "CommitmentKind").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("commitments", "0008_kinds_of_commitment_as_data")]

    operations = [migrations.RunPython(seed, unseed)]
