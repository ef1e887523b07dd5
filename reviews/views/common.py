"""Helpers every page of instruction and committee shares: the dossier or session of the URL (404
when the user may not see it), the way back, errors as messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.enums import DossierStatus
from applications.models import Dossier

from ..models import CommitteeSession


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def flash(request, exc: ValidationError) -> None:
    for message in messages_of(exc):
        messages.error(request, message)


def form_messages(form) -> list[str]:
    """A parsing form's errors as sentences naming the field (« Version : Saisissez… »)."""
    out = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            out.append(f"{field.label} : {error}" if field is not None and field.label
                       else str(error))
    return out


def dossier_or_404(request, pk: int, perm: str, *, queryset=None) -> Dossier:
    """The filed dossier `pk` of the tenant if the user has `perm` on it, else 404; read from
    `queryset` (the tenant's dossiers) when given."""
    if queryset is None:
        queryset = (Dossier.objects.filter(tenant=request.tenant)
                    .select_related("call", "track", "category", "structure"))
    # One row at most: no ORDER BY to build nor to run.
    dossier = next(iter(queryset.filter(pk=pk).exclude(status=DossierStatus.DRAFT)
                        .order_by()[:1]), None)
    if dossier is not None:
        dossier.tenant = request.tenant  # the request's copy: no join to read it again
    if dossier is None or not request.user.has_perm(perm, dossier):
        raise Http404
    return dossier


def back_to_dossier(request, dossier, anchor=""):
    return redirect(reverse("reviews:dossier", kwargs={"tenant_slug": request.tenant.slug,
                                                      "pk": dossier.pk}) + anchor)


def dossier_url(request, dossier, anchor=""):
    return reverse("reviews:dossier", kwargs={"tenant_slug": request.tenant.slug,
                                              "pk": dossier.pk}) + anchor


def dossier_breadcrumb(request, dossier):
    return [(_("Instruction"), reverse("reviews:dashboard",
                                       kwargs={"tenant_slug": request.tenant.slug})),
            (dossier.reference or dossier.title, dossier_url(request, dossier))]


def session_or_404(request, session_pk: int) -> CommitteeSession:
    session = get_object_or_404(CommitteeSession, tenant=request.tenant, pk=session_pk)
    session.tenant = request.tenant  # the request's copy, not one more query to read it again
    return session


def back_to_session(request, session, anchor=""):
    return redirect(reverse("reviews:session", kwargs={"tenant_slug": request.tenant.slug,
                                                      "session_pk": session.pk}) + anchor)


def dashboard_url(request, query: str = "") -> str:
    url = reverse("reviews:dashboard", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?{query}" if query else url
