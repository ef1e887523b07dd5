"""The live committee meeting (HotCRP's meeting tracker): the chair moves through the agenda,
every member's screen follows the current dossier by polling a small JSON endpoint
(static/reviews/meeting.js, allowed by the strict CSP; without script a link reloads the
page), a recused or conflicted member's screen shows nothing of that dossier. Also the compact
projection view for the room and the funders' envelopes page. Thin: parse, call one service
or selector, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from applications.models import Dossier
from calls.enums import Funder
from calls.models import Call
from portal.decorators import tenant_view
from portal.forms import ActionForm
from portal.views.errors import refused

from .. import selectors, services
from ..enums import DecisionOutcome, VoteChoice
from ..forms import (ConductForm, DecisionForm, FunderEnvelopesForm, MeetingMoveForm,
                    MeetingPresenceForm, VoteForm)
from ..models import AgendaItem, CommitteeMember, CommitteeSession, DecisionShare


def _flash(request, exc: ValidationError) -> None:
    for message in (exc.messages if not hasattr(exc, "error_dict")
                    else [m for ms in exc.message_dict.values() for m in ms]):
        messages.error(request, message)


def _session(request, session_pk: int, perm: str = "reviews.follow_session") -> CommitteeSession:
    session = get_object_or_404(CommitteeSession.objects.select_related("tenant"),
                                tenant=request.tenant, pk=session_pk)
    if not request.user.has_perm(perm, session):
        raise Http404
    return session


def _meeting_url(request, session, name="reviews:meeting") -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, "session_pk": session.pk})


def live_context(request, session, members) -> dict:
    """What every screen shows of the meeting for this user: the current dossier (nothing of
    it for a recused or conflicted member), its reviews under the blind-review rule, the split
    the chair proposes, the envelopes after it, votes, presence and quorum. A fixed number of
    queries whatever the length of the agenda."""
    calls = list(session.calls.all())
    current = None
    row = None
    dossier = None
    shares_now: dict[str, Decimal] = {}
    if session.current_item_id:
        rows = selectors.agenda_rows(session=session, user=request.user, members=members,
                                     can_decide=not session.is_closed,
                                     item_ids=[session.current_item_id])
        row = rows[0] if rows else None
    if row is not None:
        current = row
        if row.can_read:
            dossier = (Dossier.objects.filter(tenant=request.tenant, pk=row.dossier_pk)
                       .only("pk", "title", "summary", "tenant_id").first())
        if row.decision_pk:
            shares_now = dict(DecisionShare.objects.filter(decision_id=row.decision_pk)
                              .values_list("funder", "amount"))
    totals = selectors.granted_totals(request.tenant, calls)
    deltas = (selectors.proposal_deltas(session, row.dossier_pk, shares_now)
              if row is not None and row.can_read else {})
    lines = selectors.funder_envelope_lines(request.tenant, calls, totals, proposed=deltas,
                                            proposed_call_id=row.call_id if row else None)
    labels = {k: str(v) for k, v in Funder.choices}
    proposal = []
    if row is not None and row.can_read and (session.proposal or {}).get("dossier") == row.dossier_pk:
        proposal = [(labels.get(f, f), Decimal(a))
                    for f, a in (session.proposal.get("shares") or {}).items()]
    votes = (selectors.meeting_votes(session, row.dossier_pk)
             if row is not None and row.can_read and session.votes_enabled else None)
    present = [m for m in members if m.present]
    quorum = services.session_quorum_problems(session, members)
    # row.can_read already excludes a recused or conflicted member; a vote needs presence.
    seat = next((m.present for m in members if m.user_id == request.user.pk), None)
    can_vote = bool(session.votes_enabled and session.is_sitting and row is not None
                    and row.can_read and seat is True)
    return {
        "session": session, "row": current, "dossier": dossier, "members": members,
        "present": present, "quorum_problems": quorum,
        "funder_lines": lines, "envelope": selectors.envelope_lines(request.tenant, calls, totals),
        "overrun": [line for line in lines if line.exceeded],
        "proposal": proposal,
        "proposal_total": sum((a for _f, a in proposal), Decimal("0.00")),
        "votes": votes, "vote_choices": VoteChoice.choices,
        "vote_tally": [(label, (votes or {}).get("tally", {}).get(value, []))
                       for value, label in VoteChoice.choices],
        "my_vote": (votes or {}).get("by_user", {}).get(request.user.pk),
        "can_vote": can_vote, "vote_form": VoteForm() if can_vote else None,
        "agenda_count": AgendaItem.objects.filter(session=session).count(),
        "shares_now": shares_now,
    }


def _members(session):
    return list(CommitteeMember.objects.filter(session=session).select_related("user"))


@require_GET
@tenant_view("reviews.view_sessions")
def meeting(request, session_pk: int):
    """The meeting page: the live part every member follows, and the chair's controls."""
    session = _session(request, session_pk)
    members = _members(session)
    context = live_context(request, session, members)
    is_chair = request.user.has_perm("reviews.chair_session", session)
    if is_chair and not session.is_closed:
        items = list(AgendaItem.objects.filter(session=session).order_by("position", "pk")
                     .values_list("pk", "position", "dossier__reference"))
        context["move_form"] = MeetingMoveForm(items=items, initial={"item": session.current_item_id})
        index = next((i for i, (pk, _p, _r) in enumerate(items)
                      if pk == session.current_item_id), None)
        context["previous_item"] = items[index - 1][0] if index else None
        context["next_item"] = (items[index + 1][0] if index is not None and index + 1 < len(items)
                                else None)
        context["presence_form"] = MeetingPresenceForm(members=members)
        row = context["row"]
        if row is not None and row.can_decide and session.is_sitting:
            dossier = Dossier.objects.select_related("call", "decision").filter(
                pk=row.dossier_pk).first()
            from .committee import _decision_form

            form = _decision_form(dossier)
            proposal = session.proposal or {}
            if proposal.get("dossier") == dossier.pk:
                for funder, amount in (proposal.get("shares") or {}).items():
                    form.initial[f"share_{funder}"] = Decimal(amount)
            context["decision_form"] = form
            # What each funder may still give to this dossier (its current share is replaced):
            # the chair's running total is checked against it as the amounts are typed.
            context["split_envelopes"] = [
                (line.funder, line.label,
                 int((line.envelope - line.committed
                      + context["shares_now"].get(line.funder, Decimal(0))) * 100))
                for line in context["funder_lines"]
                if line.envelope is not None and line.call_id in (None, row.call_id)]
    context.update({
        "is_chair": is_chair,
        "state_url": _meeting_url(request, session, "reviews:meeting_state"),
        "projection_url": _meeting_url(request, session, "reviews:meeting_projection"),
    })
    return render(request, "reviews/meeting.html", context)


@require_GET
@tenant_view("reviews.view_sessions")
def meeting_state(request, session_pk: int):
    """JSON polled by every screen: ``{"version": n}``, with the live part rendered for this
    user (``html``) when it changed since the version the screen shows (``?v=``)."""
    session = _session(request, session_pk)
    projection = request.GET.get("vue") == "projection"
    if projection and not request.user.has_perm("reviews.chair_session", session):
        raise Http404
    try:
        shown = int(request.GET.get("v", "-1"))
    except ValueError:
        shown = -1
    data = {"version": session.live_version, "status": session.status}
    if shown != session.live_version:
        context = live_context(request, session, _members(session))
        template = ("reviews/_projection_live.html" if projection
                    else "reviews/_meeting_live.html")
        html = render_to_string(template, context, request=request)
        # the page around it went through portal.typography's middleware; JSON does not
        from portal.typography import french_html, is_french

        data["html"] = french_html(html) if is_french() else html
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@tenant_view("reviews.view_sessions")
def meeting_projection(request, session_pk: int):
    """The compact view projected in the room: the current dossier, its split, the envelopes."""
    session = _session(request, session_pk, "reviews.chair_session")
    context = live_context(request, session, _members(session))
    context["state_url"] = _meeting_url(request, session, "reviews:meeting_state") + "?vue=projection"
    context["meeting_url"] = _meeting_url(request, session)
    return render(request, "reviews/projection.html", context)


STATUS_ACTIONS = {"open": _lazy("Ouvrir la séance"), "suspend": _lazy("Suspendre la séance")}


@require_POST
@tenant_view("reviews.view_sessions")
def meeting_status(request, session_pk: int):
    session = _session(request, session_pk, "reviews.chair_session")
    which = ActionForm(request.POST, actions=STATUS_ACTIONS)
    if not which.is_valid():
        return refused(request, which.reason())
    try:
        if which.cleaned_data["action"] == "open":
            services.session_open(user=request.user, session=session)
            messages.success(request, _("La séance est ouverte : les écrans des membres suivent "
                                        "le dossier en cours."))
        else:
            services.session_suspend(user=request.user, session=session)
            messages.success(request, _("Séance suspendue."))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(_meeting_url(request, session))


@require_POST
@tenant_view("reviews.view_sessions")
def meeting_move(request, session_pk: int):
    session = _session(request, session_pk, "reviews.chair_session")
    items = list(AgendaItem.objects.filter(session=session)
                 .values_list("pk", "position", "dossier__reference"))
    form = MeetingMoveForm(request.POST, items=items)
    if not form.is_valid():
        raise Http404
    item = AgendaItem.objects.get(session=session, pk=form.cleaned_data["item"])
    try:
        services.meeting_move(user=request.user, session=session, item=item)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(_meeting_url(request, session))


@tenant_view("reviews.view_sessions")
def meeting_decide(request, session_pk: int):
    """The chair's form on the current dossier: « proposer » shows the split on every screen
    (and the envelopes after it); « enregistrer » records the decision through the service."""
    session = _session(request, session_pk, "reviews.chair_session")
    if request.method != "POST":
        return redirect(_meeting_url(request, session))
    if not session.current_item_id:
        raise Http404
    item = AgendaItem.objects.select_related("dossier__call", "dossier__decision").get(
        pk=session.current_item_id)
    dossier = item.dossier
    from .committee import _decision_form

    form = _decision_form(dossier, request.POST)
    proposing = request.POST.get("action") == "propose"
    if proposing:  # only the amounts are put before the committee
        form.fields["outcome"].required = False
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
        return redirect(_meeting_url(request, session))
    data = form.cleaned_data
    try:
        if proposing:
            services.meeting_propose(user=request.user, session=session, shares=form.shares())
            messages.success(request, _("Répartition proposée : elle s'affiche sur l'écran de "
                                        "chaque membre."))
        else:
            services.decision_record(
                user=request.user, session=session, dossier=dossier, outcome=data["outcome"],
                shares=form.shares() if data["outcome"] == DecisionOutcome.GRANTED else {},
                conditions=data["conditions"], motivation=data["motivation"],
                envelope_override=data["envelope_override"], version=data["version"] or 0)
            messages.success(request, _("Décision enregistrée pour %(ref)s.")
                             % {"ref": dossier.reference})
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(_meeting_url(request, session))


@require_POST
@tenant_view("reviews.view_sessions")
def meeting_presence(request, session_pk: int):
    """An arrival or a departure, recorded with its time; the quorum is checked again."""
    session = _session(request, session_pk, "reviews.chair_session")
    members = _members(session)
    form = MeetingPresenceForm(request.POST, members=members)
    if not form.is_valid():
        raise Http404
    member = next(m for m in members if m.pk == form.cleaned_data["member"])
    present = bool(form.cleaned_data["present"])
    try:
        problems = services.member_presence_change(user=request.user, session=session,
                                                   member=member, present=present)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, (_("Arrivée de %(user)s enregistrée.") if present
                                   else _("Départ de %(user)s enregistré.")) % {"user": member.user})
        for problem in problems:
            messages.warning(request, problem)
    return redirect(_meeting_url(request, session))


@require_POST
@tenant_view("reviews.view_sessions")
def meeting_vote(request, session_pk: int, pk: int):
    session = _session(request, session_pk)
    item = get_object_or_404(AgendaItem.objects.select_related("session__tenant", "dossier"),
                             session=session, dossier_id=pk)
    if not request.user.has_perm("reviews.vote_agenda_dossier", item):
        raise Http404  # a recused or conflicted member learns nothing of that dossier
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mon vote : choisissez pour, contre ou abstention."))
        return redirect(_meeting_url(request, session))
    try:
        services.vote_cast(user=request.user, session=session, dossier=item.dossier,
                           choice=form.cleaned_data["choice"])
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Vote enregistré."))
    return redirect(_meeting_url(request, session))


@require_POST
@tenant_view("reviews.manage_sessions")
def session_conduct(request, session_pk: int):
    session = get_object_or_404(CommitteeSession, tenant=request.tenant, pk=session_pk)
    members = _members(session)
    form = ConductForm(request.POST, members=members)
    if not form.is_valid():
        raise Http404
    chair_id = form.cleaned_data["chair"]
    chair = next((m.user for m in members if m.user_id == chair_id), None)
    try:
        services.session_conduct_set(user=request.user, session=session, chair=chair,
                                     votes_enabled=form.cleaned_data["votes_enabled"])
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Conduite de la séance enregistrée."))
    return redirect(reverse("reviews:session", kwargs={"tenant_slug": request.tenant.slug,
                                                       "session_pk": session.pk}) + "#conduite")


@tenant_view("reviews.manage_sessions")
def funder_envelopes(request):
    """Each funder's envelope per call and for the whole contract (DRAC, CNM, Région apart)."""
    from ..models import FunderEnvelope

    calls = list(Call.objects.filter(tenant=request.tenant).order_by("title"))
    current = {(e.call_id, e.funder): e.amount
               for e in FunderEnvelope.objects.filter(tenant=request.tenant)}
    initial = {}
    for call in calls:
        for funder in call.funders or []:
            initial[f"env_{call.pk}_{funder}"] = current.get((call.pk, funder))
    for funder in Funder.values:
        initial[f"env_contract_{funder}"] = current.get((None, funder))
    form = FunderEnvelopesForm(request.POST or None, calls=calls, initial=initial)
    if request.method == "POST" and form.is_valid():
        failed = False
        for name, call, funder in form.slots:
            value = form.cleaned_data.get(name)
            if value == current.get((call.pk if call else None, funder)):
                continue
            try:
                services.funder_envelope_set(user=request.user, tenant=request.tenant,
                                             funder=funder, call=call, amount=value)
            except ValidationError as exc:
                failed = True
                form.add_error(name, exc.messages)
        if not failed:
            messages.success(request, _("Enveloppes des financeurs enregistrées."))
            return redirect("reviews:funder_envelopes", tenant_slug=request.tenant.slug)
    totals = selectors.granted_totals(request.tenant, calls)
    groups = [(call.title, [form[name] for name, c, _f in form.slots if c == call])
              for call in calls]
    groups.append((_("Tout le contrat"), [form[name] for name, c, _f in form.slots if c is None]))
    return render(request, "reviews/funder_envelopes.html", {
        "form": form, "calls": calls, "groups": groups,
        "funder_lines": selectors.funder_envelope_lines(request.tenant, calls, totals)})
