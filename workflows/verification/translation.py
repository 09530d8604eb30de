"""The queue index keeps the template's title in both languages, as the catalogue does (ADR
0015), so a queue page shows the reader's language without a join."""

from modeltranslation.translator import TranslationOptions, register

from workflows.verification.models import VerificationTaskIndex


@register(VerificationTaskIndex)
class VerificationTaskIndexTranslationOptions(TranslationOptions):
    fields = ("template_title",)
