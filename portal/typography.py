"""One set of French typography rules for everything the portal shows in French.

* a no-break space before « : » (U+00A0) and a narrow no-break space (U+202F) before « ; ! ? »
  and « » », and after « « »;
* the first of the month is « 1er » (« 1er décembre 2026 »), times are « 9 h 14 » (done by
  `portal.formatting` and the `date_local` / `datetime_local` template filters).

`french_typography(text)` applies the spacing rules to a piece of text; `french_html(html)`
to the text of an HTML page (never inside tags, scripts, styles, code, preformatted text or
form fields); `typography_violations(text)` lists what a page's text breaks (the sweep test).
`FrenchTypographyMiddleware` applies `french_html` to every HTML page served in French.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import get_language

NBSP = "\u00a0"
NNBSP = "\u202f"
_ANY_SPACE = " \u00a0\u202f"

#: A breaking space (or none, after a letter or a digit) before « : ; ! ? ».
_BEFORE_COLON = re.compile(r"(?<=[\w»)\]’'\"%€])(?: +|(?<=[^\W\d_]))(:)(?=\s|$|<|\))")
_BEFORE_HIGH = re.compile(r"(?<=[\w»)\]’'\"%€])(?: +|(?<=[^\W\d_]))([;!?])(?=\s|$|<|\)|[!?])")
_BEFORE_CLOSING = re.compile(r"(?<=\S) *(»)")
_AFTER_OPENING = re.compile(r"(«) *(?=\S)")
#: Spaces already non-breaking are kept as they are; a run of ?!/!? stays together.
_MONTHS = ("janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
           "décembre")
_FIRST_WITHOUT_ER = re.compile(rf"(?<![\d,.])\b1[ \u00a0\u202f]({_MONTHS})\b")
_CLOCK_TIME = re.compile(r"(?<![\d:])\b([01]?\d|2[0-3]):[0-5]\d\b(?!:\d)")


def french_typography(text: str) -> str:
    """`text` with the French spacing rules applied (idempotent)."""
    if not text:
        return text
    text = _BEFORE_COLON.sub(NBSP + r"\1", text)
    text = _BEFORE_HIGH.sub(NNBSP + r"\1", text)
    text = _BEFORE_CLOSING.sub(NNBSP + r"\1", text)
    text = _AFTER_OPENING.sub(r"\1" + NNBSP, text)
    return text


#: Elements whose text is never changed: code, what the user is typing, scripts and styles.
_RAW = ("script", "style", "pre", "code", "textarea", "kbd", "samp")
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_OPEN_RAW = re.compile(r"<(" + "|".join(_RAW) + r")\b", re.I)


#: A text the spacing rules may change holds one of these (most of a page's texts don't).
_TRIGGERS = re.compile(r"[:;!?«»]")


def french_html(html: str) -> str:
    """The French spacing rules applied to the text between the tags of `html`.

    Only the texts holding a punctuation mark the rules look at are rewritten, and the tags
    are looked at only to skip the raw elements: a 50 KB page costs about a millisecond."""
    parts = _TOKENS.split(html)
    raw = None
    for i in range(0, len(parts), 2):  # even: texts; odd: tags and comments
        text = parts[i]
        if raw is None and text and _TRIGGERS.search(text):
            parts[i] = french_typography(text)
        if i + 1 < len(parts):
            tag = parts[i + 1]
            if raw is None:
                if tag[1:2] not in ("/", "!"):
                    match = _OPEN_RAW.match(tag)
                    if match and not tag.endswith("/>"):
                        raw = match.group(1).lower()
            elif re.match(rf"</{raw}\s*>", tag, re.I):
                raw = None
    return "".join(parts)


def text_of_html(html: str) -> str:
    """The visible text of `html` (tags, scripts, styles and code removed), for the sweep."""
    html = re.sub(r"<(script|style|pre|code|textarea)\b.*?</\1\s*>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "\n", html))


#: (pattern, rule) of what a French text must not contain.
_VIOLATIONS = (
    (_BEFORE_COLON, "espace insécable avant « : »"),
    (_BEFORE_HIGH, "espace fine insécable avant « ; ! ? »"),
    (re.compile(r"(?:\S| )»"), "espace fine insécable avant « » »"),
    (re.compile(r"«(?:\S| )"), "espace fine insécable après « « »"),
    (_FIRST_WITHOUT_ER, "« 1er » pour le premier du mois"),
    (_CLOCK_TIME, "heure écrite « 9 h 14 »"),
)


def typography_violations(text: str) -> list[str]:
    """What `text` (French) breaks of the rules, each rule with the text around it."""
    found = []
    for pattern, rule in _VIOLATIONS:
        for match in pattern.finditer(text):
            start, end = max(match.start() - 30, 0), match.end() + 15
            found.append(f"{rule} : {text[start:end].replace(chr(10), ' ').strip()!r}")
    return found


def _enabled(language: str | None) -> bool:
    return (getattr(settings, "PORTAL_FRENCH_TYPOGRAPHY", True)
            and (language or "fr").startswith("fr"))


def typeset_html(html: str, language: str | None) -> str:
    """An e-mail's or a PDF's HTML in `language`, with the French rules when it is French."""
    return french_html(html) if _enabled(language) else html


def typeset_text(text: str, language: str | None) -> str:
    """A plain-text e-mail (or its subject) in `language`, with the French rules."""
    return french_typography(text) if _enabled(language) else text


def is_french() -> bool:
    return (get_language() or "fr").startswith("fr")


class FrenchTypographyMiddleware:
    """Apply `french_html` to every complete HTML page served in French."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return apply_french_typography(self.get_response(request))


def apply_french_typography(response):
    """`french_html` on `response` when it is a complete HTML page in French; once (a page
    kept by portal.pagecache was set when it was rendered)."""
    if (getattr(response, "french_typography_done", False)
            or not getattr(settings, "PORTAL_FRENCH_TYPOGRAPHY", True)
            or response.streaming or not is_french()
            or not response.get("Content-Type", "").startswith("text/html")
            or response.get("Content-Encoding")):
        return response
    response.french_typography_done = True
    charset = response.charset or "utf-8"
    try:
        content = response.content.decode(charset)
    except UnicodeDecodeError:
        return response
    fixed = french_html(content)
    if fixed != content:
        response.content = fixed.encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
    return response
