"""Rich text of the calls: a small allow-list of HTML, cleaned with nh3 (ammonia)."""

import re

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3",
                "h4", "blockquote", "abbr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_HAS_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def sanitize_html(text: str) -> str:
    """Keep the allowed tags only (scripts, styles, event handlers and `javascript:` links
    are removed). Plain text (no tag at all) becomes paragraphs."""
    if not text:
        return ""
    if not _HAS_TAG.search(text):
        text = linebreaks(escape(text))
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer").strip()
