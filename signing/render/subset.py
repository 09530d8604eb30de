"""A font's subset as reportlab makes it, from tables read once per process.

reportlab embeds in every document a subset of each TrueType font it draws with
(``TTFontFile.makeSubset``, reportlab 5.1): each time it copies the whole ``glyf`` table out
of the font file (1.1 MB for the shipped font), walks each glyph's header through its file
reader one field per method call, and copies again the tables every subset shares. That was a
fifth of a commitment's rendering. ``SubsetMaker`` reads the font's tables once and keeps each
glyph used so far (its bytes, where its components' indices are), so a subset only joins the
glyphs it uses and packs the few tables that depend on them.

The bytes are reportlab's: the same glyph order (the subset's characters in order, then the
components of composite glyphs), the same tables, put together by reportlab's own
``TTFontMaker``. ``tests/signing/render/test_subset.py`` compares both on the fonts this
project ships and uses and on reportlab's own Vera (whose accented letters are composite
glyphs). ``install`` puts the maker in place of a loaded face's ``makeSubset``.
"""

from __future__ import annotations

import threading
from itertools import accumulate
from struct import Struct, pack

from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFontFace,
    TTFontMaker,
)

_SHORT = Struct(">h")
_USHORT = Struct(">H")
# the tables every subset copies as they are, in reportlab's order (the last three optional)
_COPIED = ("name", "OS/2", "cvt ", "fpgm", "prep")


class SubsetMaker:
    """``makeSubset`` of one ``TTFontFace``, its tables read once (thread-safe: what it keeps
    is only ever added, whole)."""

    def __init__(self, face: TTFontFace) -> None:
        self.reportlab = type(face).makeSubset.__get__(face)  # for a glyph it cannot copy
        self.char_to_glyph = face.charToGlyph
        self.positions = face.glyphPos
        self.metrics = [(int(advance), int(bearing)) for advance, bearing in face.hmetrics]
        # the glyph table where reportlab keeps the font file: no copy of its megabytes
        start, length = face.get_table_pos("glyf")
        self.glyf = memoryview(face._ttf_data)[start : start + length]
        self.copied = [(tag, bytes(face.get_table(tag))) for tag in _COPIED if tag in face.table]
        self.post = b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16
        self.hhea = bytes(face.get_table("hhea"))
        self.maxp = bytes(face.get_table("maxp"))
        self.head = bytes(face.get_table("head"))
        # per glyph of the font used so far: its bytes (padded), and where in them its components'
        # glyph indices are (empty for a simple glyph)
        self.glyphs: dict[int, tuple[bytes, tuple[tuple[int, int], ...]]] = {}
        self.lock = threading.Lock()

    def glyph(self, index: int) -> tuple[bytes, tuple[tuple[int, int], ...]]:
        """The bytes of glyph ``index`` padded to four bytes, and its components: (offset of
        the index, index)."""
        known = self.glyphs.get(index)
        if known is not None:
            return known
        start = self.positions[index]
        data = bytes(self.glyf[start : self.positions[index + 1]])
        components: list[tuple[int, int]] = []
        # a composite glyph (fewer than zero contours) lists its components after its header
        if len(data) > 2 and _SHORT.unpack_from(data)[0] < 0:
            at = 10
            flags = GF_MORE_COMPONENTS
            while flags & GF_MORE_COMPONENTS:
                flags = _USHORT.unpack_from(data, at)[0]
                components.append((at + 2, _USHORT.unpack_from(data, at + 2)[0]))
                at += 8 if flags & GF_ARG_1_AND_2_ARE_WORDS else 6
                if flags & GF_WE_HAVE_A_SCALE:
                    at += 2
                elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
                    at += 4
                elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
                    at += 8
        elif 0 < len(data) <= 2:
            # reportlab reads such a glyph's header past its end: its own subset it is
            raise _Unusual(index)
        known = (data + b"\0" * (-len(data) % 4), tuple(components))  # padded to 4 bytes
        with self.lock:
            self.glyphs[index] = known
        return known

    def __call__(self, subset: list[int]) -> bytes:
        """The TrueType font of ``subset``'s characters (codes), as ``makeSubset`` writes it."""
        try:
            return self._make(subset)
        except _Unusual:
            return self.reportlab(subset)

    def _make(self, subset: list[int]) -> bytes:
        # old glyph indices in the new order: 0 (the missing glyph), the characters', then
        # the components of composite glyphs as they are met
        glyph_map = [0]
        new_index = {0: 0}
        code_to_glyph = {}
        char_to_glyph = self.char_to_glyph
        for code in subset:
            old = char_to_glyph.get(code, 0)
            if old not in new_index:
                new_index[old] = len(glyph_map)
                glyph_map.append(old)
            code_to_glyph[code] = new_index[old]
        glyphs = self.glyphs
        used = []  # per glyph of the subset, in order: its padded bytes and its components
        n = 0
        while n < len(glyph_map):
            old = glyph_map[n]
            glyph = glyphs.get(old) or self.glyph(old)
            used.append(glyph)
            for _at, component in glyph[1]:
                if component not in new_index:
                    new_index[component] = len(glyph_map)
                    glyph_map.append(component)
            n += 1
        count = len(glyph_map)

        output = TTFontMaker()
        for tag, data in self.copied:
            output.add(tag, data)
        output.add("post", self.post)

        # hmtx: the full (advance, bearing) pairs up to the last run of equal advances, then
        # that run's bearings alone (numberOfHMetrics in hhea)
        metrics = self.metrics
        hmtx: list[int] = []
        for old in glyph_map:
            hmtx.extend(metrics[old])
        n = len(hmtx) - 2
        while n and hmtx[n] == hmtx[n - 2]:
            n -= 2
        n += 2
        hmtx = hmtx[:n] + hmtx[n + 1 :: 2]
        output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
        output.add("hhea", _with_ushort(self.hhea, 34, n >> 1))
        output.add("maxp", _with_ushort(self.maxp, 4, count))

        # cmap: one format 6 subtable (platform 1, encoding 0) of the subset's codes in order
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset)]
        cmap += [code_to_glyph[code] for code in subset]
        output.add("cmap", pack(f">{len(cmap)}H", *cmap))

        # glyf and loca: each glyph padded to four bytes, composites' components renumbered
        parts: list[bytes] = []
        for data, components in used:
            if components:
                data = bytearray(data)
                for at, component in components:
                    _USHORT.pack_into(data, at, new_index[component])
                data = bytes(data)
            parts.append(data)
        offsets = list(accumulate(map(len, parts), initial=0))
        position = offsets[-1]
        output.add("glyf", b"".join(parts))
        if (position + 1) >> 1 > 0xFFFF:
            long_offsets = 1
            output.add("loca", pack(f">{len(offsets)}L", *offsets))
        else:
            long_offsets = 0
            output.add("loca", pack(f">{len(offsets)}H", *[offset >> 1 for offset in offsets]))
        output.add("head", _with_ushort(self.head, 50, long_offsets))
        return output.makeStream()


class _Unusual(Exception):
    """A glyph of one or two bytes: reportlab reads its header past its end."""


def _with_ushort(table: bytes, offset: int, value: int) -> bytes:
    return table[:offset] + _USHORT.pack(value) + table[offset + 2 :]


def install(face: TTFontFace) -> None:
    """Make ``face`` build its subsets with a ``SubsetMaker`` (reportlab calls
    ``face.makeSubset`` when it writes a document's fonts)."""
    face.makeSubset = SubsetMaker(face)
