"""Pages kept per visitor in the shared cache: a page read again costs one cache read, not its
view and template.

    @require_GET
    @tenant_view("reviews.view_dashboard")    # its permission check runs on every request
    @cached_page
    def dashboard(request): ...

What is kept: the HTML of a 200 answer to a GET, with the headers its view set and the French
typography already applied (portal.typography). Its key holds the view, the full address, the
Accept header, the language (and whether French typography is on), the session and what it
holds, the CSRF secret (the page's forms carry tokens made from it), the user, and the
generation tokens (`portal.page_generations`) of every table the view's pages read, which any
write to the table forgets: a page is never served after a change to anything it may show
(its dossiers, a review, a role, a call), and a write elsewhere (a saved view, a mentoring
need) leaves it kept. `PAGE_SECONDS` bounds what changes with the clock alone (a deadline
passing, « il y a 3 minutes »). The tables come from the view's first renders in each process
(a page that read a table not yet known is not kept: its token was not read before its data).

Not kept:

* when flash messages wait for the visitor (the kept page would show them again, or hide them);
* when the view added a message, changed the session, set a cookie or wrote to the database
  (what it does must happen on every request until something changes);
* for a visitor without a CSRF cookie yet (rendering the page gives them one), a response
  marked ``no-store`` (``never_cache``), a streamed or non-HTML one, or one over `MAX_BYTES`.

``PORTAL_PAGE_CACHE = False`` turns it off (bench/dashboard.py does, to measure the render).
"""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from . import page_generations
from .typography import apply_french_typography

#: How long a page may be served while nothing is written: what only the clock changes.
PAGE_SECONDS = 60
#: Larger pages are rendered each time (a cache entry is one Redis value).
MAX_BYTES = 2_000_000
KEY = "page:{digest}"


def _enabled() -> bool:
    return getattr(settings, "PORTAL_PAGE_CACHE", True)


#: view → the tables its pages read (learnt by this process on their first render).
_tables_read: dict[str, frozenset[str]] = {}


def _key(request, view_name: str, tables) -> str | None:
    """The page's key for pages that read `tables`, or None when this request's page must
    not be kept."""
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not csrf_secret:
        return None
    if len(messages.get_messages(request)):
        return None
    tenant = getattr(request, "tenant", None)
    token_names = page_generations.names(getattr(tenant, "pk", None), tables)
    user = request.user
    parts = [view_name, request.get_full_path(), request.headers.get("Accept", ""),
             get_language() or "", str(getattr(settings, "PORTAL_FRENCH_TYPOGRAPHY", True)),
             request.session.session_key or "", _session_digest(request.session), csrf_secret,
             str(user.pk) if user.is_authenticated else "-", *token_names,
             *page_generations.tokens(token_names)]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return KEY.format(digest=digest)


def _session_digest(session) -> str:
    """What the session holds (a page may depend on it; its writes are not watched)."""
    return json.dumps(dict(session.items()), sort_keys=True, default=str)


def _keepable(request, response, session_modified: bool) -> bool:
    storage = messages.get_messages(request)
    return (response.status_code == 200 and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and "no-store" not in response.get("Cache-Control", "")
            and not response.cookies
            and not getattr(storage, "added_new", False)
            and request.session.modified == session_modified
            and len(response.content) <= MAX_BYTES)


def _response(entry) -> HttpResponse:
    status, content, headers = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response.french_typography_done = True
    return response


def cached_page(view):
    """Keep `view`'s pages (see the module doc); the view sees only requests not kept."""
    view_name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not _enabled():
            return view(request, *args, **kwargs)
        known = _tables_read.get(view_name)
        key = _key(request, view_name, known) if known is not None else None
        if key is not None:
            entry = cache.get(key)
            if entry is not None:
                return _response(entry)
        session_modified = request.session.modified
        with page_generations.recording() as reads:
            response = view(request, *args, **kwargs)
            if getattr(response, "is_rendered", True) is False:
                response.render()  # a TemplateResponse renders now, while its reads are noted
        tables = reads.tables
        if known is None or not tables <= known:
            # A table not in the key: this page is not kept (its tokens were not read before
            # its data); the next one is, under the tokens of every table seen so far.
            _tables_read[view_name] = frozenset(tables | (known or set()))
        elif key is not None and not reads.wrote and _keepable(request, response,
                                                              session_modified):
            apply_french_typography(response)
            cache.set(key, (response.status_code, response.content,
                            [(name, value) for name, value in response.items()]),
                      PAGE_SECONDS)
        return response

    return wrapper
