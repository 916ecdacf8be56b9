"""Fonts for Word output: which font shows each script, set where Word looks for it.

python-docx's `font.name` sets only the ascii/hAnsi slots; Word draws Thai, Lao, Khmer
and Burmese from the complex-script slot (w:rFonts/@w:cs) at the size in w:szCs
(research notes, glossary_anchors.md §3.8; python-docx issues #346, #1315)."""

from __future__ import annotations

import os
from typing import Any

DEFAULT_FONTS = {
    "th": "TH Sarabun New",
    "my": "Padauk",
    "ksw": "Padauk",
    "shn": "Padauk",
    "km": "Khmer OS",
    "lo": "Noto Sans Lao",
    "en": "Noto Sans",
    "vi": "Noto Sans",
}


def font_for(lang: str) -> str:
    """The font for a language; CLINIC_FONT_TH=... (etc.) overrides it."""
    return os.environ.get(f"CLINIC_FONT_{lang.upper()}", DEFAULT_FONTS.get(lang, "Noto Sans"))


def set_run_font(run: Any, lang: str, size_pt: float | None = None) -> None:
    """Put the language's font in every slot of the run, complex script included."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    name = font_for(lang)
    run.font.name = name
    r_pr = run._r.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), name)
    size = size_pt or (run.font.size.pt if run.font.size else None)
    if size:
        half_points = str(int(round(size * 2)))
        for tag in ("w:sz", "w:szCs"):
            element = r_pr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                r_pr.append(element)
            element.set(qn("w:val"), half_points)
