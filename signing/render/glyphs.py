"""Which characters a rendered PDF can show: the one answer the validators and the renderer share.

A character is drawable when it is printable (no control, format, bidi, private-use,
unassigned or surrogate code point: those are refused even if a font maps them, because they
change how the rest of a line reads or draw nothing) and some font the renderer may use has a
glyph for it: the shipped subset, then the fallbacks in ``SIGNING_PDF_FALLBACK_FONTS``
(``signing.render.fonts``). The fonts' character maps are the ones reportlab parses to draw,
so what passes here is what the renderer draws. (The renderer draws a whole document in one
font; a document whose characters only two different fallbacks cover between them would pass
here and still be refused there: with only Micro Hei installed, as `make` installs it, this
cannot arise.) Spaces and line breaks of any kind are layout, not glyphs
(``directory.inputs.normalise_text`` folds them to a plain space and ``\n``).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from signing.render.fonts import available_codepoints

# General categories never drawn: controls, format (bidi, zero-width), surrogates, private
# use and unassigned code points.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# How many offending characters a message names (a pasted page could have thousands).
MAX_NAMED = 8


def undrawable_characters(text: str) -> tuple[str, ...]:
    """The distinct characters of ``text`` a signed PDF cannot show, in order of first use."""
    drawable = available_codepoints()
    seen: dict[str, None] = {}
    for character in dict.fromkeys(text or ""):  # each distinct character once, in order
        if character.isspace():
            continue
        if unicodedata.category(character) in REFUSED_CATEGORIES or (
            ord(character) not in drawable
        ):
            seen[character] = None
    return tuple(seen)


def describe_characters(characters: tuple[str, ...]) -> str:
    """Name characters for a person: the character (if visible) and its code point."""
    named = []
    for character in characters[:MAX_NAMED]:
        code = f"U+{ord(character):04X}"
        visible = unicodedata.category(character) not in REFUSED_CATEGORIES
        named.append(f"{character} ({code})" if visible else code)
    if len(characters) > MAX_NAMED:
        named.append("…")
    return ", ".join(named)


def undrawable_message(text: str) -> str | None:
    """A message naming the characters of ``text`` the PDF cannot show, or None if none."""
    characters = undrawable_characters(text)
    if not characters:
        return None
    return _("These characters cannot be shown in the signed document: %(characters)s") % {
        "characters": describe_characters(characters)
    }


def replace_undrawable(text: str) -> str:
    """Return ``text`` with each character the PDF cannot show written as ``[U+XXXX]``.

    For what the platform prints about records it does not sign (the evidence certificate):
    a user name or an outside signer's name must never make such a page fail.
    """
    refused = set(undrawable_characters(text))
    if not refused:
        return text
    return "".join(f"[U+{ord(c):04X}]" if c in refused else c for c in text)


def validate_drawable(value: str) -> None:
    """Django validator (forms and serializers) for any text the PDF will draw."""
    message = undrawable_message(value)
    if message is not None:
        raise ValidationError(message, code="undrawable")
