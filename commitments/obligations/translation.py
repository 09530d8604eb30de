"""An obligation's title is the rule's, copied at signing in both languages (ADR 0015)."""

from modeltranslation.translator import TranslationOptions, register

from commitments.obligations.models import Obligation


@register([Obligation, Obligation.history.model])
class ObligationTranslationOptions(TranslationOptions):
    fields = ("title",)
