"""The fonts of every rendered PDF: the shipped GB2312 subset, then full system fallbacks.

The shipped font is a GB2312 subset of WenQuanYi Micro Hei (``signing/fonts``). A document
with a character outside it (rare characters in company names: 堃 喆 璟 昇 犇) is rendered
entirely with the first full system font that has every character — the same typeface,
so the switch is invisible — and raises ``MissingGlyph`` when none has. reportlab embeds
only the glyphs used, whichever font file is chosen. Only TrueType-outline fonts work
(reportlab cannot embed the CFF-based Noto CJK files).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from signing.errors import MissingGlyph
from signing.render.subset import install as install_subset_maker

SUBSET_FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei-gb2312.ttf"
SUBSET_FONT_NAME = "ChengnuoSans"
# (path, index in a TrueType collection). Override with SIGNING_PDF_FALLBACK_FONTS.
DEFAULT_FALLBACK_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)

_fonts_lock = threading.Lock()
# reportlab keeps the subset a document is building on the shared TTFont object, so two
# threads drawing at once corrupt each other's subset (a KeyError in ``makeSubset``, seen as
# a 500 on sign under 50 concurrent clients). One document at a time draws per process.
drawing_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def font_for_text(text: str) -> str:
    """Return the registered name of the first font (subset, then fallbacks) covering ``text``."""
    needed = {ord(character) for character in set(text) if not character.isspace()}
    subset = _register(SUBSET_FONT_NAME, str(SUBSET_FONT_PATH), 0)
    missing = needed - subset.face.charToGlyph.keys()
    if not missing:
        return SUBSET_FONT_NAME
    fallbacks = getattr(settings, "SIGNING_PDF_FALLBACK_FONTS", DEFAULT_FALLBACK_FONTS)
    for position, (path, index) in enumerate(fallbacks):
        if not Path(path).exists():
            continue
        name = f"ChengnuoFallback{position}"
        font = _register(name, path, index)
        if not missing - font.face.charToGlyph.keys():
            return name
    characters = "".join(sorted(chr(code) for code in missing))
    raise MissingGlyph(
        f"No font can draw {characters!r} (U+{', U+'.join(f'{c:04X}' for c in sorted(missing))});"
        " install fonts-wqy-microhei or set SIGNING_PDF_FALLBACK_FONTS."
    )


def available_codepoints() -> frozenset[int]:
    """Every code point some font the renderer may use (subset, then fallbacks) can draw."""
    configured = getattr(settings, "SIGNING_PDF_FALLBACK_FONTS", DEFAULT_FALLBACK_FONTS)
    fallbacks = tuple((str(path), int(index)) for path, index in configured)
    return _codepoints(fallbacks)


@lru_cache(maxsize=4)
def _codepoints(fallbacks: tuple[tuple[str, int], ...]) -> frozenset[int]:
    codes = set(_register(SUBSET_FONT_NAME, str(SUBSET_FONT_PATH), 0).face.charToGlyph)
    for position, (path, index) in enumerate(fallbacks):
        if Path(path).exists():
            codes.update(_register(f"ChengnuoFallback{position}", path, index).face.charToGlyph)
    return frozenset(codes)


def _register(name: str, path: str, index: int) -> TTFont:
    """Load and register a TrueType font once per process (parsing costs 40-110 ms)."""
    font = _registered.get(name)
    if font is not None:
        return font
    with _fonts_lock:
        font = _registered.get(name)
        if font is None:
            font = TTFont(name, path, subfontIndex=index)
            install_subset_maker(font.face)  # reportlab's subsets, from tables read once
            pdfmetrics.registerFont(font)
            if pdfmetrics.getFont(name) is not font:
                # reportlab maps a second font with an already registered PostScript name
                # onto the first one; drawing would then silently use the wrong glyphs.
                raise MissingGlyph(f"{path} has the PostScript name of a font already in use.")
            _registered[name] = font
    return font


def stamp_font_name() -> str:
    """Return the registered name of the shipped subset font (for stamps and certificates)."""
    _register(SUBSET_FONT_NAME, str(SUBSET_FONT_PATH), 0)
    return SUBSET_FONT_NAME
