"""Which kernel data carries Chinese and English (ADR 0015): names people read on pages.

Each model's history is registered with it, so the history keeps both languages of a change.
"""

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register

from directory.models import Department, Matter, Region
from directory.partitions.models import RetentionPeriod


@register([RetentionPeriod, RetentionPeriod.history.model])
class RetentionPeriodTranslationOptions(TranslationOptions):
    fields = ("legal_basis",)


@register(Region)
class RegionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register([Department, Department.history.model])
class DepartmentTranslationOptions(TranslationOptions):
    fields = ("name",)


@register([Matter, Matter.history.model])
class MatterTranslationOptions(TranslationOptions):
    fields = ("name", "legal_basis")


def has_chinese(text: str | None) -> bool:
    """Whether a text holds any CJK ideograph (the test of which language a stored text is in)."""
    return any("\u4e00" <= character <= "\u9fff" for character in text or "")


def translations_fill(model, fields: tuple[str, ...]) -> None:
    """Give existing rows of a historical ``model`` their texts in both language columns.

    Used by the data migrations that follow the columns of ADR 0015. The single text a row
    held goes to the column of its language; the other language stays empty until an officer
    writes it in the admin (the page falls back to Chinese meanwhile). Rows whose columns are
    already filled are left as they are.
    """
    for row in model.objects.all():
        changed = []
        for field in fields:
            text = getattr(row, field)
            column = f"{field}_zh_hans" if has_chinese(text) else f"{field}_en"
            if text and not getattr(row, f"{field}_zh_hans") and not getattr(row, f"{field}_en"):
                setattr(row, column, text)
                changed.append(column)
        if changed:
            row.save(update_fields=changed)


def both_languages(**texts: tuple[str, str]) -> dict[str, str]:
    """The model keyword arguments that store each text in Chinese and in English.

    ``both_languages(name=("食品经营许可", "Food business permit"))`` gives ``name`` and
    ``name_zh_hans`` in Chinese and ``name_en`` in English, whichever language is active.
    """
    values: dict[str, str] = {}
    for field, (chinese, english) in texts.items():
        values.update({field: chinese, f"{field}_zh_hans": chinese, f"{field}_en": english})
    return values


def in_active_language(path: str) -> Coalesce:
    """A query expression for a translated text reached through a model that is not itself
    translated (``department__name`` from a commitment): the active language's column,
    falling back to Chinese, then to the original column."""
    language = (get_language() or "zh-hans").replace("-", "_")
    columns = [f"{path}_{language}", f"{path}_zh_hans"]
    return Coalesce(
        *[NullIf(F(column), Value("")) for column in dict.fromkeys(columns)],
        F(path),
        output_field=CharField(),
    )
