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
generation tokens of `portal.page_generations`, which every write to the database forgets: a
page is never served after a change to anything it may show (its dossiers, a review, a role,
a call). `PAGE_SECONDS` bounds what changes with the clock alone (a deadline passing, « il y a
3 minutes »).

Not kept:

* when flash messages wait for the visitor (the kept page would show them again, or hide them);
* when the view added a message, changed the session or set a cookie (those must happen on
  every request); a view that writes to the database needs nothing: the write forgets the
  tokens the page is stored under;
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


def _key(request, view_name: str) -> str | None:
    """The page's key, or None when this request's page must not be kept."""
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not csrf_secret:
        return None
    if len(messages.get_messages(request)):
        return None
    tenant = getattr(request, "tenant", None)
    tokens = page_generations.tokens(page_generations.page_names(getattr(tenant, "pk", None)))
    user = request.user
    parts = [view_name, request.get_full_path(), request.headers.get("Accept", ""),
             get_language() or "", str(getattr(settings, "PORTAL_FRENCH_TYPOGRAPHY", True)),
             request.session.session_key or "", _session_digest(request.session), csrf_secret,
             str(user.pk) if user.is_authenticated else "-", *tokens]
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
        key = _key(request, view_name)
        if key is None:
            return view(request, *args, **kwargs)
        entry = cache.get(key)
        if entry is not None:
            return _response(entry)
        session_modified = request.session.modified
        response = view(request, *args, **kwargs)
        if _keepable(request, response, session_modified):
            apply_french_typography(response)
            cache.set(key, (response.status_code, response.content,
                            [(name, value) for name, value in response.items()]),
                      PAGE_SECONDS)
        return response

    wrapper.cached_page = True
    return wrapper
