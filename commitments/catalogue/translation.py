"""Which catalogue texts carry Chinese and English (ADR 0015): the template's title and notice,
the commitment text, and the obligations it imposes."""

from modeltranslation.translator import TranslationOptions, register

from commitments.catalogue.models import (
    CommitmentKind,
    CommitmentTemplate,
    ExemptionRule,
    ObligationRule,
)


@register([CommitmentTemplate, CommitmentTemplate.history.model])
class CommitmentTemplateTranslationOptions(TranslationOptions):
    fields = CommitmentTemplate.TEXTS


@register([ObligationRule, ObligationRule.history.model])
class ObligationRuleTranslationOptions(TranslationOptions):
    fields = ("title", "description")


@register([CommitmentKind, CommitmentKind.history.model])
class CommitmentKindTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register([ExemptionRule, ExemptionRule.history.model])
class ExemptionRuleTranslationOptions(TranslationOptions):
    fields = ("legal_basis",)
