"""The queue index keeps the template's title in both languages, as the catalogue does (ADR
0015), so a queue page shows the reader's language without a join; a sampling policy's note
(its legal basis) is written in both languages like the credit rules'."""

from modeltranslation.translator import TranslationOptions, register

from workflows.verification.models import SamplingPolicy, VerificationTaskIndex


@register(VerificationTaskIndex)
class VerificationTaskIndexTranslationOptions(TranslationOptions):
    fields = ("template_title",)


@register([SamplingPolicy, SamplingPolicy.history.model])
class SamplingPolicyTranslationOptions(TranslationOptions):
    fields = ("note",)
