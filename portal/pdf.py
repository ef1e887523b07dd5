"""PDF rendering shared by every app (conventions, decision letters, receipts).

WeasyPrint renders a Django template (HTML + CSS with ``@page`` A4 rules) to PDF bytes.
Text stays text (searchable, accessible); fonts are the system DejaVu family, so the output
does not depend on the network. ``base_url`` points at the static files so templates may
reference ``/static/...`` assets (images, stylesheets) that WeasyPrint loads from disk.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

#: Shared print stylesheet: A4, margins, page numbers, DejaVu fonts, French hyphenation.
BASE_CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm;
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
    return fonts, CSS(string=BASE_CSS, font_config=fonts)


def render_pdf(*, template_name: str, context: dict, language: str = "fr") -> bytes:
    """Render `template_name` with `context` (in `language`) and return the PDF bytes."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, {**context, "LANGUAGE_CODE": language})
    fonts, base_css = _shared_styles()
    document = HTML(string=html, base_url=_static_base_url(), encoding="utf-8")
    return document.write_pdf(stylesheets=[base_css], font_config=fonts)


def warm_up() -> None:
    """Load WeasyPrint, the fonts and the hyphenation dictionary once, when a worker process
    starts, so the first document a user asks for is not the slow one (~0.8 s instead of
    ~60 ms)."""
    from weasyprint import HTML

    fonts, base_css = _shared_styles()
    HTML(string='<html lang="fr"><p>Décision <strong>1 000,00 €</strong></p></html>').write_pdf(
        stylesheets=[base_css], font_config=fonts)


__all__ = ["render_pdf", "warm_up"]
