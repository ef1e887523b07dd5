"""Committee sessions: list, session page (agenda, members, envelope), editing, members and
presence, agenda, one dossier's decision, recusal, closing."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _lazy, ngettext
from django.views.decorators.http import require_GET, require_POST, require_http_methods

from portal.confirm import confirmation_page, is_confirmed
from portal.decorators import tenant_view
from portal.pagecache import cached_page
from portal.forms import ActionForm, apply_validation_error
from portal.views.errors import refused

from .. import selectors, services
from .common import back_to_session, flash, messages_of, session_or_404
from ..enums import ReviewStatus
from ..forms import (AgendaMoveForm, CommitteeRecusalForm, ConductForm, DecisionForm, MemberForm,
                     PresenceForm, SessionCloseForm, SessionForm)
from ..models import AgendaItem, CommitteeMember, CommitteeSession, Decision, Recusal


@tenant_view("reviews.view_sessions")
def session_list(request):
    can_manage = request.user.has_perm("reviews.manage_sessions", request.tenant)
    form = SessionForm(request.POST or None, tenant=request.tenant) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                session = services.session_create(user=request.user, tenant=request.tenant,
                                                  **form.cleaned_data)
            except ValidationError as exc:
                flash(request, exc)
            else:
                return redirect("reviews:session", tenant_slug=request.tenant.slug,
                                session_pk=session.pk)
    sessions = CommitteeSession.objects.filter(tenant=request.tenant).prefetch_related("calls")
    return render(request, "reviews/session_list.html", {"sessions": sessions, "form": form})


@require_GET
@tenant_view("reviews.view_sessions")
@cached_page
def session_detail(request, session_pk: int):
    session = session_or_404(request, session_pk)
    page = selectors.session_page(session=session, user=request.user)
    can_manage = page["can_manage"]
    return render(request, "reviews/session.html", {
        **page, "session": session,
        "can_generate_letters": request.user.has_perm("reviews.generate_letters", request.tenant),
        # …/dossiers/<pk>/decision/ and …/dossiers/<pk>/deport/ for every row, reversed once
        "dossier_base": reverse("reviews:decision_record", kwargs={
            "tenant_slug": request.tenant.slug, "session_pk": session.pk, "pk": 0,
        }).rsplit("/0/decision/", 1)[0],
        "can_follow": request.user.has_perm("reviews.follow_session", session),
        "conduct_form": ConductForm(members=page["members"], initial={
            "chair": session.chair_id, "votes_enabled": session.votes_enabled})
        if can_manage else None,
        "member_form": MemberForm(choices=page["candidates"]) if page["candidates"] else None,
        "closes_early": session.date > timezone.localdate(),
        "recusal_form": CommitteeRecusalForm(),
    })


@require_POST
@tenant_view("reviews.view_sessions")
def recusal_declare(request, session_pk: int, pk: int):
    """A member of the session steps out of the deliberation on one agenda dossier."""
    session = session_or_404(request, session_pk)
    item = get_object_or_404(AgendaItem.objects.select_related("dossier"), session=session,
                             dossier_id=pk)
    form = CommitteeRecusalForm(request.POST)
    if form.is_valid():
        try:
            services.recusal_declare(user=request.user, session=session, dossier=item.dossier,
                                     reason=form.cleaned_data["reason"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("Vous êtes déporté·e sur le dossier %(ref)s : vous ne "
                                        "prenez pas part à sa délibération.")
                             % {"ref": item.dossier.reference})
    else:
        flash(request, ValidationError(form.errors["reason"]))
    return back_to_session(request, session, f"#dossier-{pk}")


@tenant_view("reviews.manage_sessions")
def session_edit(request, session_pk: int):
    """Change an open session: title, date, calls covered, quorum."""
    session = session_or_404(request, session_pk)
    if session.is_closed:
        messages.error(request, _("La séance est close : ses décisions sont figées."))
        return back_to_session(request, session)
    initial = {"title": session.title, "date": session.date, "quorum": session.quorum,
               "quorum_each_funder": session.quorum_each_funder,
               "calls": list(session.calls.values_list("pk", flat=True))}
    form = SessionForm(request.POST or None, tenant=request.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(user=request.user, session=session, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Séance modifiée."))
            return back_to_session(request, session)
    return render(request, "reviews/session_edit.html", {"session": session, "form": form})


@require_POST
@tenant_view("reviews.manage_sessions")
def session_member_remove(request, session_pk: int, member_pk: int):
    session = session_or_404(request, session_pk)
    member = get_object_or_404(CommitteeMember, session=session, pk=member_pk)
    try:
        services.session_member_remove(user=request.user, session=session, member=member)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("%(user)s ne fait plus partie de la séance.")
                         % {"user": member.user})
    return back_to_session(request, session, "#membres")


#: The two forms of the session page's « Membres » part, told apart by their hidden `action`.
MEMBER_ACTIONS = {"add": _lazy("Ajouter le membre"), "presence": _lazy("Enregistrer les présences")}


@require_POST
@tenant_view("reviews.manage_sessions")
def session_members(request, session_pk: int):
    """The member form (`action=add`) or the presence form (`action=presence`)."""
    session = session_or_404(request, session_pk)
    which = ActionForm(request.POST, actions=MEMBER_ACTIONS)
    if not which.is_valid():
        return refused(request, which.reason())
    if which.cleaned_data["action"] == "add":
        form = MemberForm(request.POST, choices=selectors.session_member_candidates(session))
        if not form.is_valid():
            raise Http404
        member = selectors.tenant_user(request.tenant, int(form.cleaned_data["user"]))
        action = partial(services.session_member_add, member=member,
                         funder=form.cleaned_data["funder"],
                         override=form.cleaned_data["override"])
    else:
        form = PresenceForm(request.POST, members=selectors.session_members(session))
        if not form.is_valid():
            raise Http404
        action = partial(services.session_presence_set,
                         present_ids=form.cleaned_data["present"])
    try:
        action(user=request.user, session=session)
    except ValidationError as exc:
        flash(request, exc)
    return back_to_session(request, session, "#membres")


AGENDA_ACTIONS = {"build": _lazy("Ajouter les dossiers recevables (par rang)"),
                  "move": _lazy("Déplacer un dossier dans l'ordre du jour")}


@require_POST
@tenant_view("reviews.manage_sessions")
def session_agenda(request, session_pk: int):
    """Build the agenda from the ranked dossiers (`action=build`) or move one item up or down
    (`action=move`)."""
    session = session_or_404(request, session_pk)
    which = ActionForm(request.POST, actions=AGENDA_ACTIONS)
    if not which.is_valid():
        return refused(request, which.reason())
    try:
        if which.cleaned_data["action"] == "move":
            items = {i.pk: i for i in AgendaItem.objects.filter(session=session)}
            form = AgendaMoveForm(request.POST, items=items.values())
            if not form.is_valid():
                raise Http404
            services.agenda_move(user=request.user, session=session,
                                 item=items[form.cleaned_data["item"]],
                                 direction=form.cleaned_data["direction"])
        else:
            n = services.agenda_build(user=request.user, session=session)
            messages.success(request, _("%(n)s dossier(s) ajouté(s) à l'ordre du jour.") % {"n": n})
    except ValidationError as exc:
        flash(request, exc)
    return back_to_session(request, session, "#ordre-du-jour")


def _decision_form(dossier, data=None):
    decision = getattr(dossier, "decision", None)
    initial = {"version": decision.version if decision else 0}
    if decision:
        initial.update(outcome=decision.outcome, conditions=decision.conditions,
                       motivation=decision.motivation,
                       envelope_override=decision.envelope_override)
        for share in decision.shares.all():
            initial[f"share_{share.funder}"] = share.amount
    return DecisionForm(data, initial=initial, funders=dossier.call.funders or [],
                        prefix=f"d{dossier.pk}")


def _agenda_item_for(request, session, pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("session__tenant", "dossier__call", "dossier__tenant",
                                          "dossier__structure", "dossier__category",
                                          "dossier__track", "dossier__review_summary"),
        session=session, dossier_id=pk)


@tenant_view("reviews.view_sessions")
def decision_record(request, session_pk: int, pk: int):
    """One agenda dossier in the session, read-only for whoever may read it (its members,
    the admin, the instructors): the application, budget, documents, eligibility, the reviews
    (blind-review rule), the envelope; and the decision form for those who may decide. A
    conflicted or recused member is only told so."""
    session = session_or_404(request, session_pk)
    item = _agenda_item_for(request, session, pk)
    dossier = item.dossier
    conflicted = dossier.pk in selectors.conflicted_dossier_ids_for(request.user, request.tenant,
                                                                    [dossier.pk])
    can_read = request.user.has_perm("reviews.read_agenda_dossier", item)
    recused = not can_read and Recusal.objects.filter(session=session, dossier=dossier,
                                                      user=request.user).exists()
    if not (can_read or conflicted or recused):
        raise PermissionDenied("reviews.read_agenda_dossier")
    can_decide = (not session.is_closed
                  and request.user.has_perm("reviews.decide_agenda_dossier", item))
    back = reverse("reviews:session", kwargs={"tenant_slug": request.tenant.slug,
                                              "session_pk": session.pk}) + f"#dossier-{dossier.pk}"
    form = _decision_form(dossier, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decision_record(
                    user=request.user, session=session, dossier=dossier,
                    outcome=data["outcome"], shares=form.shares(), conditions=data["conditions"],
                    motivation=data["motivation"], envelope_override=data["envelope_override"],
                    version=data["version"] or 0)
            except ValidationError as exc:
                for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                      else [(None, exc.messages)]):
                    form.add_error(field if field in form.fields else None, errors)
                if getattr(exc, "code", None) == "stale":
                    messages.error(request, " ".join(messages_of(exc)))
            else:
                messages.success(request, _("Décision enregistrée pour %(ref)s.")
                                 % {"ref": dossier.reference})
                return redirect(back)
    context = {"session": session, "dossier": dossier, "item": item, "form": form,
               "can_decide": can_decide, "can_read": can_read, "conflicted": conflicted,
               "recused": recused, "back": back}
    if can_read:
        from applications.receipts import pdf_context

        readable = request.user.has_perm("reviews.view_scores", dossier)
        context.update(pdf_context(dossier))
        context.update({
            "scores_hidden": not readable,
            "decision": getattr(dossier, "decision", None),
            "summary": getattr(dossier, "review_summary", None) if readable else None,
            "reviews": list(dossier.reviews.filter(status=ReviewStatus.SUBMITTED)
                            .select_related("officer")) if readable else [],
            "eligibility_reviews": selectors.eligibility_reviews(dossier),
            "rules": selectors.dossier_rules(dossier),
            "envelope": selectors.envelope_lines(request.tenant, [dossier.call]),
        })
    return render(request, "reviews/decision.html", context)


@require_GET
@tenant_view("reviews.view_sessions")
def agenda_attachment(request, session_pk: int, pk: int, attachment_pk: int):
    """A document of an agenda dossier, for those who may read the dossier in committee."""
    from applications.models import Attachment

    session = session_or_404(request, session_pk)
    item = _agenda_item_for(request, session, pk)
    if not request.user.has_perm("reviews.read_agenda_dossier", item):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_pk, dossier=item.dossier)
    from portal.storage import private_file_response

    return private_file_response(attachment.file.name, filename=attachment.original_name,
                                 content_type=attachment.content_type)


@require_http_methods(["GET", "POST"])
@tenant_view("reviews.manage_sessions")
def session_close(request, session_pk: int):
    """GET (or a POST without `confirm`): what closing will do; POST with `confirm`: close."""
    session = session_or_404(request, session_pk)
    if session.is_closed:
        messages.error(request, _("La séance est close : ses décisions sont figées."))
        return back_to_session(request, session)
    early = session.date > timezone.localdate()
    form = SessionCloseForm(request.POST if is_confirmed(request) else None,
                            initial={"early_reason": request.POST.get("early_reason", "")})
    if is_confirmed(request):
        try:
            services.session_close(user=request.user, session=session,
                                   early_reason=request.POST.get("early_reason", "")[:500])
        except ValidationError as exc:
            if not (hasattr(exc, "error_dict") and early):
                flash(request, exc)
                return back_to_session(request, session)
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Séance close : les décisions sont figées, le "
                                        "procès-verbal est en cours de génération et les "
                                        "candidat·es seront notifié·es."))
            return back_to_session(request, session)
    decisions = Decision.objects.filter(session=session).count()
    undecided = AgendaItem.objects.filter(session=session,
                                          dossier__decision__isnull=True).count()
    consequences = [
        ngettext("La décision enregistrée est figée : elle ne pourra plus être modifiée.",
                 "Les %(n)s décisions enregistrées sont figées : elles ne pourront plus être "
                 "modifiées.", decisions) % {"n": decisions},
        _("Le procès-verbal de la séance est produit (PDF)."),
        ngettext("Le ou la candidat·e est notifié·e par courriel de la décision et reçoit "
                 "son courrier.",
                 "Les %(n)s candidat·es sont notifié·es par courriel de leur décision et "
                 "reçoivent leur courrier.", decisions) % {"n": decisions}]
    if undecided:
        consequences.insert(0, ngettext(
            "Attention : %(n)s dossier de l'ordre du jour n'a pas encore de décision ; la "
            "séance ne pourra pas être close.",
            "Attention : %(n)s dossiers de l'ordre du jour n'ont pas encore de décision ; la "
            "séance ne pourra pas être close.", undecided) % {"n": undecided})
    session_url = reverse("reviews:session", kwargs={"tenant_slug": request.tenant.slug,
                                                     "session_pk": session.pk})
    return confirmation_page(
        request, title=_("Clore la séance « %(title)s »") % {"title": session.title},
        lead=_("Une fois la séance close, ses décisions ne peuvent plus être modifiées et les "
               "candidat·es en sont informé·es."),
        consequences=consequences, button=_("Clore définitivement la séance"),
        cancel_url=session_url, form=form if early else None, hidden=[],
        breadcrumb=[(_("Comités"), reverse("reviews:session_list",
                                           kwargs={"tenant_slug": request.tenant.slug})),
                    (session.title, session_url)],
        status=400 if form.errors else 200)
