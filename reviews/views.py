"""Pages of joint instruction (dashboard, dossier instruction, scoring, assignment, conflicts)
and of committee sessions. Thin: parse, call one service or selector, render. Anything the
user may not see answers 404."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.enums import DossierStatus
from applications.models import Dossier
from calls.enums import Funder
from portal.audit import audit_events_for
from portal.confirm import carried_values, confirmation_page, is_confirmed
from portal.formatting import format_money, format_time_local
from portal.decorators import tenant_view
from portal.forms import apply_validation_error
from portal.enums import Role
from portal.models import GeneratedDocument, Membership

from . import selectors, services
from .enums import ReviewStatus, SessionStatus
from .forms import (RECOMMENDATION_CHOICES, AgendaMoveForm, CommitteeRecusalForm, ConductForm,
                    ConflictForm, DashboardFilterForm, DecisionForm, EligibilityConfirmForm,
                    MemberForm, OfficerForm, PresenceForm, ReviewForm, SessionCloseForm,
                    SessionForm, ThresholdForm)
from .models import (AgendaItem, Assignment, CommitteeMember, CommitteeSession,
                     ConflictDeclaration, Decision, EligibilityReview, Recusal, Review)
from .scoring import is_disagreement



def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _flash(request, exc: ValidationError) -> None:
    for message in _messages_of(exc):
        messages.error(request, message)


def _form_messages(form) -> list[str]:
    """A parsing form's errors as sentences naming the field (« Version : Saisissez… »)."""
    out = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            out.append(f"{field.label} : {error}" if field is not None and field.label
                       else str(error))
    return out


def _dossier_for(request, pk: int, perm: str) -> Dossier:
    dossier = (Dossier.objects.filter(tenant=request.tenant, pk=pk)
               .exclude(status=DossierStatus.DRAFT)
               .select_related("tenant", "call", "track", "category", "structure").first())
    if dossier is None or not request.user.has_perm(perm, dossier):
        raise Http404
    return dossier


# --- Dashboard -------------------------------------------------------------------------------

def _dashboard_params(request):
    """The dashboard's filters, predefined view and selection (reviews.dashboard.parse): the
    exports give exactly the list the officer is looking at."""
    from .dashboard import parse

    state = parse(request.GET, tenant=request.tenant, user=request.user)
    return state.form, state.params


def _export_selection(request):
    """(queryset, threshold) of the dashboard's selection for the exports; conflicted
    dossiers are never in it, and the reviews and aggregate of a dossier whose scores the
    user may not read yet (blind review) are left out like on the pages."""
    from .exports import export_queryset

    _form, params = _dashboard_params(request)
    qs, _c = selectors.dashboard_queryset(request.tenant, request.user, params)
    return export_queryset(qs.prefetch_related(selectors.reviews_prefetch())), params["threshold"]


def _export_groups(qs, threshold):
    """One (sheet title, rows) group per call of the selection, calls by title."""
    from calls.models import Call

    from .exports import rows

    calls = list(Call.objects.filter(pk__in=qs.order_by().values("call_id")).order_by("title"))
    if not calls:
        return [(_("Instruction"), iter(()))]
    return [(call.title, rows(qs.filter(call_id=call.pk), threshold)) for call in calls]


def _export_name(request, extension: str) -> str:
    return f'attachment; filename="instruction-{request.tenant.slug}-{timezone.now():%Y%m%d}.{extension}"'


def _audit_export(request, fmt: str, count: int | None) -> None:
    services.dashboard_export_record(user=request.user, tenant=request.tenant, fmt=fmt,
                                     rows=count)


@require_GET
@tenant_view("reviews.view_dashboard")
def export_csv(request):
    """Streamed row by row (UTF-8 with BOM, `;`): the rows are read inside the tenant's
    scope, which the response's iteration re-enters after the middleware has returned."""
    from django.http import StreamingHttpResponse
    from django_scopes import scope

    from .exports import csv_lines, rows

    qs, threshold = _export_selection(request)
    tenant = request.tenant
    _audit_export(request, "csv", None)

    def stream():
        with scope(tenant=tenant):
            yield from (line.encode("utf-8") for line in csv_lines(rows(qs, threshold)))

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _export_name(request, "csv")
    return response


def _spreadsheet_response(request, writer, extension: str, content_type: str):
    """Write the workbook to a temporary file (not in memory) and stream that file."""
    import tempfile

    from django.http import FileResponse

    from .exports import summary

    qs, threshold = _export_selection(request)
    fh = tempfile.TemporaryFile()
    count = writer(fh, _export_groups(qs, threshold), summary(qs))
    fh.seek(0)
    _audit_export(request, extension, count)
    response = FileResponse(fh, content_type=content_type)
    response["Content-Disposition"] = _export_name(request, extension)
    return response


@require_GET
@tenant_view("reviews.view_dashboard")
def export_xlsx(request):
    from .exports import write_xlsx

    return _spreadsheet_response(
        request, write_xlsx, "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_GET
@tenant_view("reviews.view_dashboard")
def export_ods(request):
    from .exports import write_ods

    return _spreadsheet_response(request, write_ods, "ods",
                                 "application/vnd.oasis.opendocument.spreadsheet")


# --- One dossier -------------------------------------------------------------------------------

def _review_context(request, dossier):
    criteria = selectors.criteria_for(dossier)
    mine, others, hidden = selectors.visible_reviews(dossier, request.user)
    can_score = request.user.has_perm("reviews.score_dossier", dossier) and dossier.status in (
        DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW)
    scores = (mine.scores if mine else {})
    return {"criteria": [{"c": c, "value": scores.get(str(c.id), ""),
                          "others": [(r, r.scores.get(str(c.id))) for r in others]}
                         for c in criteria],
            "my_review": mine, "other_reviews": others, "others_hidden": hidden,
            "can_score": can_score and not (mine and mine.is_submitted),
            "recommendations": RECOMMENDATION_CHOICES}


@require_GET
@tenant_view("reviews.view_dashboard")
def dossier_instruction(request, pk: int):
    return render_instruction(request, _dossier_for(request, pk, "reviews.instruct_dossier"))


def render_instruction(request, dossier, *, recusal_form=None, status: int = 200):
    """The instruction page of `dossier`: the application beside the scoring form; a bound
    recusal form given here is shown again with its errors."""
    from .views_dashboard import dossier_extras

    assignments = list(Assignment.objects.filter(dossier=dossier).select_related("officer"))
    assigned_ids = {a.officer_id for a in assignments}
    conflicted = services.conflicted_pairs(request.tenant, [dossier.pk])
    candidates = [m for m in Membership.objects.filter(
        tenant=request.tenant, role=Role.INSTRUCTOR, organization__isnull=False)
        .select_related("user", "organization")
        if m.user_id not in assigned_ids and (m.user_id, dossier.pk) not in conflicted
        and m.organization.kind in (dossier.call.funders or [])]
    summary = getattr(dossier, "review_summary", None)
    review_count = summary.review_count if summary else 0
    if not request.user.has_perm("reviews.view_scores", dossier):
        summary = None  # blind review: no aggregate of the others' scores
    threshold = selectors.disagreement_threshold(request.tenant, dossier.call)
    context = {
        "review_count": review_count,
        "dossier": dossier, "assignments": assignments, "candidates": candidates,
        "eligibility_results": dossier.eligibility_results or [],
        "eligibility_reviews": list(EligibilityReview.objects.filter(dossier=dossier)
                                    .select_related("confirmed_by")),
        "documents": services.required_documents(dossier),
        "can_confirm": dossier.status == DossierStatus.SUBMITTED,
        "can_assign": request.user.has_perm("reviews.assign", request.tenant)
        and dossier.status in services.ASSIGNABLE,
        "summary": summary,
        "disagree": bool(summary) and is_disagreement(summary.spread, threshold,
                                                      summary.review_count),
        "threshold": threshold,
        "history": list(audit_events_for(dossier)[:100]),
        "rules": selectors.dossier_rules(dossier),
    }
    context.update(_review_context(request, dossier))
    context.update(dossier_extras(request, dossier, recusal_form=recusal_form))
    return render(request, "reviews/dossier.html", context, status=status)


def _back(request, dossier, anchor=""):
    return redirect(reverse("reviews:dossier", kwargs={"tenant_slug": request.tenant.slug,
                                                      "pk": dossier.pk}) + anchor)


@require_POST
@tenant_view("reviews.view_dashboard")
def eligibility_confirm(request, pk: int):
    dossier = _dossier_for(request, pk, "reviews.instruct_dossier")
    form = EligibilityConfirmForm(request.POST, results=dossier.eligibility_results or [],
                                  documents=services.required_documents(dossier))
    if not form.is_valid():
        for message in _form_messages(form):
            messages.error(request, message)
        return _back(request, dossier, "#recevabilite")
    try:
        review = services.eligibility_confirm(user=request.user, dossier=dossier,
                                              overrides=form.overrides(),
                                              checklist=form.checklist(),
                                              comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Le dossier est désormais : %(o)s.")
                         % {"o": review.get_outcome_display()})
    return _back(request, dossier, "#recevabilite")


@require_POST
@tenant_view("reviews.assign")
def assignment_add(request, pk: int):
    dossier = _dossier_for(request, pk, "reviews.instruct_dossier")
    officers = {u.pk: u for u in selectors.tenant_officers(request.tenant)}
    form = OfficerForm(request.POST, officers=officers.values())
    if not form.is_valid():
        raise Http404
    officer = officers[form.cleaned_data["officer"]]
    try:
        services.assignment_add(user=request.user, dossier=dossier, officer=officer)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("%(u)s est rapporteur·rice.") % {"u": officer})
    return _back(request, dossier, "#rapporteurs")


def _dossier_url(request, dossier, anchor=""):
    return reverse("reviews:dossier", kwargs={"tenant_slug": request.tenant.slug,
                                              "pk": dossier.pk}) + anchor


def _dossier_breadcrumb(request, dossier):
    return [(_("Instruction"), reverse("reviews:dashboard",
                                       kwargs={"tenant_slug": request.tenant.slug})),
            (dossier.reference or dossier.title, _dossier_url(request, dossier))]


@require_http_methods(["GET", "POST"])
@tenant_view("reviews.assign")
def assignment_remove(request, pk: int, assignment_pk: int):
    """GET (or a POST without `confirm`): what removing the rapporteur does; with `confirm`:
    remove."""
    dossier = _dossier_for(request, pk, "reviews.instruct_dossier")
    assignment = get_object_or_404(Assignment.objects.select_related("officer"),
                                   dossier=dossier, pk=assignment_pk)
    if not is_confirmed(request):
        draft = Review.objects.filter(dossier=dossier, officer=assignment.officer).exists()
        consequences = [_("%(u)s n'instruira plus ce dossier et ne le verra plus dans sa "
                          "liste.") % {"u": assignment.officer}]
        if draft:
            consequences.append(_("Son brouillon d'évaluation est supprimé."))
        return confirmation_page(
            request, title=_("Retirer %(u)s des rapporteur·rices") % {"u": assignment.officer},
            lead=_("Dossier %(ref)s : %(title)s.") % {"ref": dossier.reference,
                                                      "title": dossier.title},
            consequences=consequences, button=_("Retirer le ou la rapporteur·rice"),
            cancel_url=_dossier_url(request, dossier, "#rapporteurs"), hidden=[],
            breadcrumb=_dossier_breadcrumb(request, dossier))
    try:
        services.assignment_remove(user=request.user, assignment=assignment)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("%(u)s n'est plus rapporteur·rice.")
                         % {"u": assignment.officer})
    return _back(request, dossier, "#rapporteurs")


@require_POST
@tenant_view("reviews.view_dashboard")
def review_save(request, pk: int):
    """The scoring form: `action=submit` submits, otherwise saves the draft. With
    `Accept: application/json` (autosave), answers JSON with the server's total."""
    dossier = _dossier_for(request, pk, "reviews.instruct_dossier")
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = ReviewForm(request.POST, criteria=selectors.criteria_for(dossier))
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"ok": False, "errors": _form_messages(form)}, status=400)
        for message in _form_messages(form):
            messages.error(request, message)
        return _back(request, dossier, "#evaluation")
    data, submit = form.cleaned_data, form.submits
    # Submitting is final: without `confirm`, the draft is saved and the confirmation step
    # shows what will be submitted (the scoring form's values are posted again from there).
    asks_confirmation = submit and not wants_json and not is_confirmed(request)
    try:
        review = services.review_save(
            user=request.user, dossier=dossier, scores=form.scores(),
            opinion=data["opinion"], recommendation=data["recommendation"],
            proposed_amount=data["proposed_amount"],
            submit=submit and not asks_confirmation, version=data["version"] or 0)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if wants_json:
            status = 409 if getattr(exc, "code", None) == "stale" else 400
            return JsonResponse({"ok": False, "errors": _messages_of(exc)}, status=status)
        _flash(request, exc)
        return _back(request, dossier, "#evaluation")
    if wants_json:
        return JsonResponse({"ok": True, "version": review.version,
                             "total": f"{review.total:.2f}".replace(".", ",")
                             if review.total is not None else None,
                             "saved_at": format_time_local(review.updated_at)})
    if asks_confirmation:
        return _review_submit_confirmation(request, dossier, review)
    messages.success(request, _("Évaluation soumise.") if submit else _("Brouillon enregistré."))
    return _back(request, dossier, "#evaluation")


def _review_submit_confirmation(request, dossier, review):
    recommendations = dict(RECOMMENDATION_CHOICES)
    summary = {_("Note pondérée"): (_("%(total)s / 20") % {"total": f"{review.total:.2f}"
                                                           .replace(".", ",")}
                                    if review.total is not None else _("non calculée")),
               _("Recommandation"): recommendations.get(review.recommendation)
               or _("non renseignée"),
               _("Montant proposé"): format_money(review.proposed_amount)
               or _("non renseigné")}
    hidden = [(name, str(review.version) if name == "version" else value)
              for name, value in carried_values(request)]
    return confirmation_page(
        request, title=_("Soumettre votre évaluation du dossier %(ref)s")
        % {"ref": dossier.reference},
        lead=_("Votre brouillon est enregistré. Une fois soumise, l'évaluation ne peut plus "
               "être modifiée ; les autres évaluations du dossier vous deviennent visibles."),
        summary=summary, button=_("Soumettre définitivement l'évaluation"),
        cancel_url=_dossier_url(request, dossier, "#evaluation"), hidden=hidden,
        breadcrumb=_dossier_breadcrumb(request, dossier))


# --- Assignment at scale, workload --------------------------------------------------------------

@tenant_view("reviews.assign")
def assignment_overview(request):
    if request.method == "POST":
        try:
            plan = services.assignments_auto(user=request.user, tenant=request.tenant)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("%(n)s affectation(s) créée(s).") % {"n": len(plan.pairs)})
            if plan.unassignable:
                messages.warning(request, _(
                    "%(n)s besoin(s) sans rapporteur·rice possible (aucun·e instructeur·rice "
                    "du financeur sans lien d'intérêts).") % {"n": len(plan.unassignable)})
        return redirect("reviews:assignments", tenant_slug=request.tenant.slug)
    unassigned = Dossier.objects.filter(tenant=request.tenant, status__in=services.ASSIGNABLE,
                                        assignments__isnull=True).count()
    from calls.models import Call

    from .models import ReviewSettings

    can_set = request.user.has_perm("reviews.manage_sessions", request.tenant)
    return render(request, "reviews/assignments.html", {
        "workload": selectors.workload(request.tenant), "unassigned": unassigned,
        "can_set_threshold": can_set,
        "thresholds": ReviewSettings.objects.filter(tenant=request.tenant).select_related("call")
        if can_set else [],
        "default_threshold": selectors.disagreement_threshold(request.tenant),
        "calls": Call.objects.filter(tenant=request.tenant).order_by("title") if can_set else []})


@require_POST
@tenant_view("reviews.manage_sessions")
def threshold_set(request):
    form = ThresholdForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        if "call" in form.errors:  # not a call of this tenant
            raise Http404
        for message in _form_messages(form):
            messages.error(request, message)
        return redirect("reviews:assignments", tenant_slug=request.tenant.slug)
    try:
        services.review_settings_set(user=request.user, tenant=request.tenant,
                                     call=form.cleaned_data["call"],
                                     threshold=form.cleaned_data["threshold"])
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Seuil de désaccord enregistré."))
    return redirect("reviews:assignments", tenant_slug=request.tenant.slug)


# --- Conflicts ---------------------------------------------------------------------------------

@tenant_view("reviews.view_conflicts")
def conflicts(request):
    can_declare = request.user.has_perm("reviews.declare_conflicts", request.tenant)
    form = ConflictForm(request.POST or None) if can_declare else None
    if request.method == "POST" and not can_declare:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(tenant=request.tenant, user=request.user,
                                      **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Lien d'intérêts déclaré."))
            return redirect("reviews:conflicts", tenant_slug=request.tenant.slug)
    mine = ConflictDeclaration.objects.filter(tenant=request.tenant, officer=request.user)
    registry = (ConflictDeclaration.objects.filter(tenant=request.tenant).select_related("officer")
                if request.user.has_perm("reviews.view_conflict_registry", request.tenant)
                else None)
    return render(request, "reviews/conflicts.html", {"form": form, "mine": mine,
                                                      "registry": registry})


@require_POST
@tenant_view("reviews.declare_conflicts")
def conflict_delete(request, conflict_pk: int):
    declaration = get_object_or_404(ConflictDeclaration, tenant=request.tenant,
                                    officer=request.user, pk=conflict_pk)
    services.conflict_withdraw(user=request.user, declaration=declaration)
    messages.success(request, _("Déclaration retirée."))
    return redirect("reviews:conflicts", tenant_slug=request.tenant.slug)


# --- Committee ---------------------------------------------------------------------------------

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
                _flash(request, exc)
            else:
                return redirect("reviews:session", tenant_slug=request.tenant.slug,
                                session_pk=session.pk)
    sessions = CommitteeSession.objects.filter(tenant=request.tenant).prefetch_related("calls")
    return render(request, "reviews/session_list.html", {"sessions": sessions, "form": form})


def _letters_progress(session):
    from .letters_batch import session_letters_progress

    return session_letters_progress(session) if session.is_closed else None


def _stored_letter_ids(session) -> set[str]:
    """Ids (as stored) of the session's decisions whose letter exists; only once closed."""
    from .letters import LETTER_KIND

    if not session.is_closed:
        return set()
    ids = [str(pk) for pk in Decision.objects.filter(session=session).values_list("pk", flat=True)]
    return set(GeneratedDocument.objects.filter(kind=LETTER_KIND, target_id__in=ids,
                                                tenant=session.tenant)
               .values_list("target_id", flat=True))


def _session_for(request, session_pk: int) -> CommitteeSession:
    return get_object_or_404(CommitteeSession, tenant=request.tenant, pk=session_pk)


@require_GET
@tenant_view("reviews.view_sessions")
def session_detail(request, session_pk: int):
    session = _session_for(request, session_pk)
    calls = list(session.calls.all())
    members = list(CommitteeMember.objects.filter(session=session).select_related("user"))
    member_ids = {m.user_id for m in members}
    totals = selectors.granted_totals(request.tenant, calls)
    can_decide = not session.is_closed
    funders_all = sorted({f for c in calls for f in (c.funders or [])})
    rows = selectors.agenda_rows(session=session, user=request.user, members=members,
                                 can_decide=can_decide,
                                 letter_decision_ids=_stored_letter_ids(session))
    present = [m for m in members if m.present]
    candidate_choices = selectors.session_member_candidates(session, member_ids=member_ids)
    can_manage = request.user.has_perm("reviews.manage_sessions", request.tenant)
    return render(request, "reviews/session.html", {
        "letters": _letters_progress(session),
        "can_generate_letters": request.user.has_perm("reviews.generate_letters", request.tenant),
        "session": session, "calls": calls, "members": members, "present": present,
        "rows": rows, "can_decide": any(r.can_decide for r in rows),
        "can_manage": can_manage and not session.is_closed,
        # …/dossiers/<pk>/decision/ for every row, reversed once
        "decision_base": reverse("reviews:decision_record", kwargs={
            "tenant_slug": request.tenant.slug, "session_pk": session.pk, "pk": 0,
        }).rsplit("/0/decision/", 1)[0],
        "envelope": selectors.envelope_lines(request.tenant, calls, totals),
        "funder_lines": selectors.funder_envelope_lines(request.tenant, calls, totals),
        "can_follow": request.user.has_perm("reviews.follow_session", session),
        "conduct_form": ConductForm(members=members, initial={
            "chair": session.chair_id, "votes_enabled": session.votes_enabled})
        if can_manage and not session.is_closed else None,
        "per_funder": [(Funder(f).label, totals["per_funder"].get(f, Decimal("0.00")))
                       for f in funders_all],
        "member_form": MemberForm(choices=candidate_choices) if candidate_choices else None,
        "closes_early": session.date > timezone.localdate(),
        "recusal_form": CommitteeRecusalForm(),
        "minutes": GeneratedDocument.objects.filter(
            kind="reviews.committee_minutes", target_id=str(session.pk)).first()
        if session.is_closed else None,
    })


@require_POST
@tenant_view("reviews.view_sessions")
def recusal_declare(request, session_pk: int, pk: int):
    """A member of the session steps out of the deliberation on one agenda dossier."""
    session = _session_for(request, session_pk)
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
            _flash(request, exc)
        else:
            messages.success(request, _("Vous êtes déporté·e sur le dossier %(ref)s : vous ne "
                                        "prenez pas part à sa délibération.")
                             % {"ref": item.dossier.reference})
    else:
        _flash(request, ValidationError(form.errors["reason"]))
    return _session_back(request, session, f"#dossier-{pk}")


def _session_back(request, session, anchor=""):
    return redirect(reverse("reviews:session", kwargs={"tenant_slug": request.tenant.slug,
                                                      "session_pk": session.pk}) + anchor)


@tenant_view("reviews.manage_sessions")
def session_edit(request, session_pk: int):
    """Change an open session: title, date, calls covered, quorum."""
    session = _session_for(request, session_pk)
    if session.is_closed:
        messages.error(request, _("La séance est close : ses décisions sont figées."))
        return _session_back(request, session)
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
            return _session_back(request, session)
    return render(request, "reviews/session_edit.html", {"session": session, "form": form})


@require_POST
@tenant_view("reviews.manage_sessions")
def session_member_remove(request, session_pk: int, member_pk: int):
    session = _session_for(request, session_pk)
    member = get_object_or_404(CommitteeMember, session=session, pk=member_pk)
    try:
        services.session_member_remove(user=request.user, session=session, member=member)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("%(user)s ne fait plus partie de la séance.")
                         % {"user": member.user})
    return _session_back(request, session, "#membres")


@require_POST
@tenant_view("reviews.manage_sessions")
def session_members(request, session_pk: int):
    session = _session_for(request, session_pk)
    if "user" in request.POST:
        candidates = dict(selectors.session_member_candidates(session))
        form = MemberForm(request.POST, choices=list(candidates.items()))
        if not form.is_valid():
            raise Http404
        member = selectors.tenant_user(request.tenant, int(form.cleaned_data["user"]))
        action = partial(services.session_member_add, member=member,
                         funder=form.cleaned_data["funder"],
                         override=form.cleaned_data["override"])
    else:
        form = PresenceForm(request.POST, members=session.members.select_related("user"))
        if not form.is_valid():
            raise Http404
        action = partial(services.session_presence_set,
                         present_ids=form.cleaned_data["present"])
    try:
        action(user=request.user, session=session)
    except ValidationError as exc:
        _flash(request, exc)
    return _session_back(request, session, "#membres")


@require_POST
@tenant_view("reviews.manage_sessions")
def session_agenda(request, session_pk: int):
    session = _session_for(request, session_pk)
    try:
        if request.POST.get("item"):
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
        _flash(request, exc)
    return _session_back(request, session, "#ordre-du-jour")


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
    session = _session_for(request, session_pk)
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
                    messages.error(request, " ".join(_messages_of(exc)))
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
            "eligibility_reviews": list(EligibilityReview.objects.filter(dossier=dossier)
                                        .select_related("confirmed_by")),
            "rules": selectors.dossier_rules(dossier),
            "envelope": selectors.envelope_lines(request.tenant, [dossier.call]),
        })
    return render(request, "reviews/decision.html", context)


@require_GET
@tenant_view("reviews.view_sessions")
def agenda_attachment(request, session_pk: int, pk: int, attachment_pk: int):
    """A document of an agenda dossier, for those who may read the dossier in committee."""
    from applications.models import Attachment

    session = _session_for(request, session_pk)
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
    session = _session_for(request, session_pk)
    if session.is_closed:
        messages.error(request, _("La séance est close : ses décisions sont figées."))
        return _session_back(request, session)
    early = session.date > timezone.localdate()
    form = SessionCloseForm(request.POST if is_confirmed(request) else None,
                            initial={"early_reason": request.POST.get("early_reason", "")})
    if is_confirmed(request):
        try:
            services.session_close(user=request.user, session=session,
                                   early_reason=request.POST.get("early_reason", "")[:500])
        except ValidationError as exc:
            if not (hasattr(exc, "error_dict") and early):
                _flash(request, exc)
                return _session_back(request, session)
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Séance close : les décisions sont figées, le "
                                        "procès-verbal est en cours de génération et les "
                                        "candidat·es seront notifié·es."))
            return _session_back(request, session)
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


@require_POST
@tenant_view("reviews.generate_letters")
def session_letters(request, session_pk: int):
    from .letters_batch import session_letters_generate

    session = _session_for(request, session_pk)
    try:
        count = session_letters_generate(user=request.user, session=session)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Production de %(count)s courriers lancée.") % {"count": count})
    return _session_back(request, session, "#courriers")


@require_GET
@tenant_view("reviews.view_sessions")
def session_letters_progress(request, session_pk: int):
    """JSON progress of the session's letters, polled by static/reviews/letters.js."""
    from .letters_batch import session_letters_progress as progress

    return JsonResponse(progress(_session_for(request, session_pk)))


@require_GET
@tenant_view("reviews.view_sessions")
def session_minutes(request, session_pk: int):
    from portal.documents import private_file_response

    session = _session_for(request, session_pk)
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
    from .letters import decision_letter_generate, stored_letter

    document = stored_letter(decision)
    if document is None:  # the worker has not produced it yet: produce it now
        decision = (Decision.objects.select_related(
            "session", "dossier__structure", "dossier__call", "dossier__tenant",
            "dossier__track", "dossier__category").get(pk=decision.pk))
        document, _rendered = decision_letter_generate(decision)
    return private_file_response(document.file_path, filename=document.filename)
