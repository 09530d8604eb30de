"""Read a PDF as a person's viewer would: its text and its document information (poppler)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, folder: Path, *, layout: bool = True) -> str:
    """Return the text poppler's ``pdftotext`` extracts (``-layout`` unless told)."""
    path = folder / "read.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def pdf_info(pdf: bytes, folder: Path) -> dict[str, str]:
    """Return ``pdfinfo -isodates`` as a mapping (``CreationDate``: ``2026-12-05T09:30:12+08``)."""
    path = folder / "info.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdfinfo", "-isodates", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, _colon, value in (line.partition(":") for line in listing.splitlines())
    }


def pdf_structure_text(pdf: bytes, folder: Path) -> str:
    """Return the structure tree with each element's text as poppler reads it for assistive
    technology (``pdfinfo -struct-text``): roles indented by depth, texts quoted."""
    path = folder / "structure.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, check=True, text=True
    ).stdout
