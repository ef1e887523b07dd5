"""Checks of a rendered PDF as its reader gets it: every character and every table rule
inside the page's content box (A4 minus the document's margins), the text extractable, the
title and language in the metadata, the fonts embedded, the PDF tagged."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

from portal.pdf import PAGE_MARGINS_MM

MM = 72 / 25.4
A4 = (595.28, 841.89)
TOLERANCE = 0.75  # points: glyph boxes may exceed the line box by a hair
PAGE_COUNTER = re.compile(r"^\d+ ?/ ?\d+$")


def layout_problems(content: bytes) -> list[str]:
    """What lies outside the content box, page by page (empty: the layout is sound). The
    page counter (« 2 / 3 ») lives in the bottom margin by design."""
    top, right, bottom, left = (m * MM for m in PAGE_MARGINS_MM)
    problems = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            if abs(page.width - A4[0]) > 1 or abs(page.height - A4[1]) > 1:
                problems.append(f"page {number}: not A4 ({page.width} × {page.height})")
            x_min, x_max = left - TOLERANCE, page.width - right + TOLERANCE
            y_min, y_max = top - TOLERANCE, page.height - bottom + TOLERANCE
            footer = []
            for ch in page.chars:
                if ch["text"].isspace():
                    continue
                if ch["x0"] < x_min or ch["x1"] > x_max:
                    problems.append(f"page {number}: {ch['text']!r} at x {ch['x0']:.1f}–"
                                    f"{ch['x1']:.1f} outside {x_min:.1f}–{x_max:.1f}")
                elif ch["top"] < y_min or ch["bottom"] > y_max:
                    footer.append(ch)
            footer_text = "".join(c["text"] for c in sorted(footer, key=lambda c: c["x0"]))
            if footer and not (PAGE_COUNTER.match(footer_text)
                               and all(c["bottom"] <= page.height for c in footer)):
                problems.append(f"page {number}: text in the top/bottom margin: {footer_text!r}")
            for edge in page.edges:
                if edge["x0"] < x_min or edge["x1"] > x_max:
                    problems.append(f"page {number}: table rule at x {edge['x0']:.1f}–"
                                    f"{edge['x1']:.1f} outside {x_min:.1f}–{x_max:.1f}")
    return problems


def pdf_text(content: bytes) -> str:
    """The text as pypdf extracts it, whitespace (including no-break spaces) normalised."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdf_facts(content: bytes) -> dict:
    """Title, language, tagging and fonts (every font must be embedded)."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont"))] = embedded
    return {"title": reader.metadata.title if reader.metadata else None,
            "lang": str(root.get("/Lang", "")),
            "tagged": bool((root.get("/MarkInfo") or {}).get("/Marked")),
            "fonts": fonts, "pages": len(reader.pages)}


def dump(name: str, content: bytes) -> None:
    """With PORTAL_PDF_DUMP=<folder>, keep the rendered document (for the README pictures)."""
    folder = os.environ.get("PORTAL_PDF_DUMP")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(content)
