"""The error pages (400, 403, 404, 500, CSRF failure): French pages in the DSFR layout
(its « page d'erreur » pattern) with a way back. Django's own are bare English pages.

The 500 page is rendered without the request's context processors and without any database
query (the database may be why it is shown)."""

import re

from django.conf import settings
from django.http import (HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotFound,
                         HttpResponseServerError)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

#: A PermissionDenied message that is a permission name or code, not a sentence for a reader.
_CODE = re.compile(r"[\w.:-]*")


def _previous_page(request) -> str | None:
    """The page the visitor came from, when it is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return None


def _render(request, template, context, response_class):
    body = loader.get_template(template).render(
        {"previous_page": _previous_page(request), **context}, request)
    return response_class(body)


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, "400.html", {}, HttpResponseBadRequest)


def refused(request, reason: str):
    """A 400 page that says why the request was refused (e.g. an unknown ``action`` of a form,
    ``portal.forms.ActionForm``): a forged or stale form, not a server error."""
    return _render(request, "400.html", {"reason": reason}, HttpResponseBadRequest)


@requires_csrf_token
def permission_denied(request, exception=None):
    message = str(exception or "")
    # A sentence written for the reader (e.g. « Cette étape n'est pas modifiable. ») is shown;
    # a permission name (« reviews.manage_sessions ») is not.
    reason = message if message and not _CODE.fullmatch(message) else ""
    return _render(request, "403.html", {"reason": reason}, HttpResponseForbidden)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", {}, HttpResponseNotFound)


def server_error(request):
    body = loader.get_template("500.html").render({"PORTAL_NAME": settings.PORTAL_NAME})
    return HttpResponseServerError(body)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was sent without a valid security token (an expired
    session, blocked cookies, a page kept open very long)."""
    return _render(request, "403_csrf.html", {}, HttpResponseForbidden)
