"""Generate ``wqy-microhei-gb2312.ttf``, the font embedded in every commitment PDF.

Run once by a developer (``python signing/fonts/make_subset.py``) after installing
fontTools; the output is committed so that the application needs neither fontTools nor a
system font at run time. The subset holds GB2312 (the 6,763 common hanzi and its symbols),
printable ASCII and common CJK / general punctuation: that covers nearly every commitment
while keeping the file a fraction of the 5 MB collection. Characters outside it (rare
characters in company names such as 堃 or 喆) make ``signing.render.fonts`` fall back to a full
system font.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
TARGET = Path(__file__).resolve().parent / "wqy-microhei-gb2312.ttf"
# A PostScript name of its own: reportlab treats two fonts with one PostScript name as the
# same face, which would silently map the full fallback font onto this subset.
POSTSCRIPT_NAME = "WenQuanYiMicroHei-GB2312"

EXTRA_RANGES = (
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (°, ×, ·, é ...)
    (0x2010, 0x2027),  # dashes, quotes, ellipsis
    (0x2030, 0x203B),  # per mille, primes, reference mark
    (0x2160, 0x216B),  # Roman numerals
    (0x2460, 0x2473),  # circled numbers
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE5),  # full-width currency signs
)


def gb2312_characters() -> set[int]:
    """Return every code point that a valid two-byte GB2312 sequence decodes to."""
    code_points: set[int] = set()
    for row in range(0xA1, 0xF8):
        for column in range(0xA1, 0xFF):
            try:
                character = bytes((row, column)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            code_points.add(ord(character))
    return code_points


def main() -> None:
    """Write the subset font next to this script."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--target", type=Path, default=TARGET)
    arguments = parser.parse_args()

    unicodes = gb2312_characters()
    for first, last in EXTRA_RANGES:
        unicodes.update(range(first, last + 1))

    font = TTCollection(str(arguments.source)).fonts[0]  # 0: Micro Hei, 1: Micro Hei Mono
    options = subset.Options()
    options.hinting = False  # screen hinting is useless in a PDF and doubles the size
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID == 6:  # PostScript name
            names.setName(POSTSCRIPT_NAME, 6, record.platformID, record.platEncID, record.langID)
    font.recalcTimestamp = False  # keep the source's date: the same input gives the same file
    font.save(str(arguments.target))
    size = arguments.target.stat().st_size
    print(f"{arguments.target}: {size} bytes, {len(unicodes)} code points")


if __name__ == "__main__":
    main()
