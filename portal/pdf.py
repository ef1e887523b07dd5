"""PDF rendering shared by every app (conventions, decision letters, receipts, minutes).

WeasyPrint renders a Django template (HTML + CSS with ``@page`` A4 rules) to PDF bytes.
Text stays text (searchable, accessible); fonts are the system DejaVu family, embedded
(subset), so the output does not depend on the network. Every document is written as
PDF/UA-1 (`PDF_VARIANT`): tagged structure, the document's ``<title>`` as its title (shown
by readers instead of the file name) and the ``<html lang>`` as its language.

The State's bloc-marque (Marianne symbol, « République française », the devise) is drawn
from the DSFR's own logo component and Marianne font, shipped by django-dsfr: a letter of
the DRAC prints it as the State's sites do, with no image copied into the project.
``base_url`` points at the static files so templates may reference ``/static/...`` assets.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

#: Margins of every document (mm: top, right, bottom, left); the layout tests check that no
#: character lies outside them.
PAGE_MARGINS_MM = (20, 18, 22, 18)
#: PDF/UA-1: tagged PDF with title and language (WeasyPrint's variant).
PDF_VARIANT = "pdf/ua-1"

#: Shared print stylesheet: A4, margins, page numbers, DejaVu fonts, French hyphenation.
BASE_CSS = """
@page { size: A4; margin: MARGINS;
        @bottom-right { content: counter(page) " / " counter(pages);
                        font-family: "DejaVu Sans", sans-serif; font-size: 8pt; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 15pt; margin: 0 0 4mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; }
p, li { hyphens: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #888; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
.pdf-fixed, .pdf-signatures { table-layout: fixed; }
.pdf-signatures { page-break-inside: avoid; }
.pdf-signatures td { height: 30mm; }  /* equal columns: fixed layout */
.pdf-muted { color: #555; font-size: 8.5pt; }
th, td { overflow-wrap: anywhere; }
.pdf-num { text-align: right; white-space: nowrap; }
caption { text-align: left; }
.pdf-keep { page-break-inside: avoid; }
.pdf-nohyphen { hyphens: manual; white-space: nowrap; }
.pdf-break { page-break-before: always; }
.pdf-envelopes tr { page-break-inside: avoid; }
.pdf-envelopes__label { width: 46%; }
""".replace("MARGINS", " ".join(f"{m}mm" for m in PAGE_MARGINS_MM))

#: The bloc-marque of the State, drawn as the DSFR's `.fr-logo` does (the Marianne symbol over
#: the blue-white-red band, the name in Marianne bold capitals, the devise below) with the
#: DSFR's own two SVG images; its `calc()` positions, which WeasyPrint does not resolve in
#: backgrounds, are given here as the values they compute to.
STATE_BLOCK_CSS = """
@font-face { font-family: "Marianne"; font-weight: 700; src: url("%(font)s"); }
.fr-logo { font-family: "Marianne", "DejaVu Sans", sans-serif; font-weight: 700;
           font-size: 10.5pt; line-height: 1.03; letter-spacing: -0.01em;
           text-transform: uppercase; color: #000; margin: 0; }
.fr-logo::before { content: ""; display: block; width: 2.75rem; height: 1rem;
                   margin-bottom: 0.333rem;
                   background-image: url("%(symbol)s"),
                       linear-gradient(90deg, #000091, #000091 50%%, #e1000f 50%%, #e1000f);
                   background-repeat: no-repeat, no-repeat;
                   background-size: 2.75rem 1.125rem, 2.75rem 1rem;
                   background-position: 0 -0.0625rem, 0 0; }
/* The devise is an image: its words for text extraction and screen readers, unseen. */
.fr-logo { position: relative; }
.pdf-sr { position: absolute; left: 0; bottom: 0; font-size: 1pt; line-height: 1;
          color: #fff; text-transform: none; white-space: nowrap; }
.fr-logo::after { content: ""; display: block; width: 2.625rem; height: 2.208rem;
                  background-image: url("%(devise)s"); background-repeat: no-repeat;
                  background-size: 5.25rem 3.75rem; background-position: 0 0.333rem; }
"""


def _static_base_url() -> str:
    """A file:// URL WeasyPrint resolves `/static/...` against (first static dir)."""
    dirs = list(getattr(settings, "STATICFILES_DIRS", []))
    root = Path(dirs[0]) if dirs else Path(settings.BASE_DIR) / "static"
    return root.parent.resolve().as_uri() + "/"


@functools.cache
def _shared_styles():
    """The font configuration and the parsed base stylesheet, built once per process (the
    system fonts do not change while a worker runs)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    sheets = [CSS(string=BASE_CSS, font_config=fonts)]
    state = _state_block_css()
    if state:
        sheets.append(CSS(string=state, font_config=fonts))
    return fonts, sheets


def _state_block_css() -> str:
    """The DSFR logo component and the Marianne font, from django-dsfr's static files."""
    from django.contrib.staticfiles import finders

    import re

    logo_css = finders.find("dsfr/dist/component/logo/logo.main.min.css")
    font = finders.find("dsfr/dist/fonts/Marianne-Bold.woff2")
    if not logo_css or not font:
        return ""
    images = re.findall(r'url\("(data:image/svg\+xml[^"]+)"\)',
                        Path(logo_css).read_text(encoding="utf-8"))
    symbol = next((u for u in images if "viewBox='0 0 44 18'" in u), "")
    devise = next((u for u in images if "viewBox='0 0 252 180'" in u), "")
    if not symbol or not devise:
        return ""
    return STATE_BLOCK_CSS % {"font": Path(font).resolve().as_uri(), "symbol": symbol,
                              "devise": devise}


def render_pdf(*, template_name: str, context: dict, language: str = "fr") -> bytes:
    """Render `template_name` with `context` (in `language`) and return the PDF bytes."""
    return layout_pdf(render_pdf_html(template_name=template_name, context=context,
                                      language=language))


def render_pdf_html(*, template_name: str, context: dict, language: str = "fr") -> str:
    """The typeset HTML a PDF is laid out from (cheap next to the layout itself: its checksum
    says whether a stored PDF still shows the same thing)."""
    with translation.override(language):
        html = render_to_string(template_name, {**context, "LANGUAGE_CODE": language})
    from .typography import typeset_html

    return typeset_html(html, language)


def layout_pdf(html: str) -> bytes:
    """Lay `html` (from `render_pdf_html`) out as PDF bytes: the costly part (WeasyPrint)."""
    from weasyprint import HTML

    fonts, sheets = _shared_styles()
    document = HTML(string=html, base_url=_static_base_url(), encoding="utf-8")
    return document.write_pdf(stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)


def warm_up() -> None:
    """Load WeasyPrint, the fonts and the hyphenation dictionary once, when a worker process
    starts, so the first document a user asks for is not the slow one (~0.8 s instead of
    ~60 ms)."""
    from weasyprint import HTML

    fonts, sheets = _shared_styles()
    HTML(string='<html lang="fr"><title>Décision</title><p class="fr-logo">République<br>'
                'française</p><p>Décision <strong>1 000,00 €</strong></p></html>').write_pdf(
        stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)


def image_data_uri(field_file) -> str:
    """An uploaded image (a logo) as a data: URI, read through its storage (local folder or
    object store alike); "" when absent or unreadable."""
    import base64
    import mimetypes

    if not field_file:
        return ""
    try:
        with field_file.open("rb") as fh:
            content = fh.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(field_file.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


__all__ = ["render_pdf", "warm_up", "image_data_uri", "PAGE_MARGINS_MM", "PDF_VARIANT"]
