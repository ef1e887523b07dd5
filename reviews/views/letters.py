"""What a closed session produces: its decision letters (batch and progress), its minutes, each
decision's letter."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.decorators import tenant_view
from portal.models import GeneratedDocument

from .common import back_to_session, flash, session_or_404
from ..enums import SessionStatus
from ..models import Decision


@require_POST
@tenant_view("reviews.generate_letters")
def session_letters(request, session_pk: int):
    from ..letters_batch import session_letters_generate

    session = session_or_404(request, session_pk)
    try:
        count = session_letters_generate(user=request.user, session=session)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("Production de %(count)s courriers lancée.") % {"count": count})
    return back_to_session(request, session, "#courriers")


@require_GET
@tenant_view("reviews.view_sessions")
def session_letters_progress(request, session_pk: int):
    """JSON progress of the session's letters, polled by static/reviews/letters.js."""
    from ..letters_batch import session_letters_progress as progress

    return JsonResponse(progress(session_or_404(request, session_pk)))


@require_GET
@tenant_view("reviews.view_sessions")
def session_minutes(request, session_pk: int):
    """The closed session's minutes (PDF); 404 to whoever has a declared conflict with one of
    its dossiers, since the minutes name each decision (issue 13 finding 12)."""
    from portal.documents import private_file_response

    session = session_or_404(request, session_pk)
    if not request.user.has_perm("reviews.read_session_minutes", session):
        raise Http404
    document = GeneratedDocument.objects.filter(kind="reviews.committee_minutes",
                                                target_id=str(session.pk),
                                                tenant=request.tenant).first()
    if document is None or not session.is_closed:
        raise Http404
    return private_file_response(document.file_path, filename=document.filename)


@require_GET
@tenant_view()
def decision_letter(request, decision_pk: int):
    """The decision letter, for the applicant structure's members and the tenant's staff,
    once the session is closed; 404 for anyone else."""
    from portal.documents import private_file_response

    decision = get_object_or_404(
        Decision.objects.select_related("dossier__structure", "dossier__tenant", "session"),
        session__tenant=request.tenant, pk=decision_pk, session__status=SessionStatus.CLOSED)
    if not request.user.has_perm("reviews.read_decision_letter", decision):
        raise Http404
    from ..letters import decision_letter_generate, stored_letter

    document = stored_letter(decision)
    if document is None:  # the worker has not produced it yet: produce it now
        decision = (Decision.objects.select_related(
            "session", "dossier__structure", "dossier__call", "dossier__tenant",
            "dossier__track", "dossier__category").get(pk=decision.pk))
        document, _rendered = decision_letter_generate(decision)
    return private_file_response(document.file_path, filename=document.filename)
