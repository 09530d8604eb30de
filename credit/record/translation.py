"""Which credit rules carry Chinese and English (ADR 0015): every text shown on a page."""

from modeltranslation.translator import TranslationOptions, register

from credit.record.models.rules import (
    BreachCategory,
    CreditList,
    MeasureType,
    PublicityRule,
    RepairRule,
    RuleSet,
)


@register([RuleSet, RuleSet.history.model])
class RuleSetTranslationOptions(TranslationOptions):
    fields = ("name", "legal_basis")


@register([PublicityRule, PublicityRule.history.model])
class PublicityRuleTranslationOptions(TranslationOptions):
    fields = ("note",)


@register([BreachCategory, BreachCategory.history.model])
class BreachCategoryTranslationOptions(TranslationOptions):
    fields = ("name", "legal_basis")


@register([MeasureType, MeasureType.history.model])
class MeasureTypeTranslationOptions(TranslationOptions):
    fields = ("name", "legal_basis", "description", "applied_by")


@register([CreditList, CreditList.history.model])
class CreditListTranslationOptions(TranslationOptions):
    fields = ("name", "legal_basis", "entry_criteria", "exit_criteria")


@register([RepairRule, RepairRule.history.model])
class RepairRuleTranslationOptions(TranslationOptions):
    fields = ("legal_basis",)
