"""One dossier's instruction page: the application beside the scoring form, recevabilité,
rapporteurs, the review (and its autosave), the officer's voluntary recusal."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_http_methods

from applications.enums import DossierStatus
from portal.audit import audit_events_for
from portal.confirm import carried_values, confirmation_page, is_confirmed
from portal.decorators import tenant_view
from portal.pagecache import cached_page
from portal.formatting import format_money, format_time_local

from .. import dashboard as state_of, selectors, services
from .common import (back_to_dossier, dashboard_url, dossier_breadcrumb, dossier_or_404,
                     dossier_url, flash, form_messages, messages_of)
from ..forms import (EligibilityConfirmForm, OfficerForm, RECOMMENDATION_CHOICES, RecusalForm,
                     ReviewForm)
from ..models import Assignment, Review
from ..scoring import is_disagreement


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


def instruction_dossier_or_404(request, pk: int):
    """The dossier of the instruction page, read with what the page needs of it besides
    (summary, the blind-review rule's answer, the disagreement threshold) in one query."""
    return dossier_or_404(request, pk, "reviews.instruct_dossier",
                          queryset=selectors.instruction_dossiers(request.tenant, request.user))


@require_GET
@tenant_view("reviews.view_dashboard")
@cached_page
def dossier_instruction(request, pk: int):
    return render_instruction(request, instruction_dossier_or_404(request, pk))


def render_instruction(request, dossier, *, recusal_form=None, parts=None, status: int = 200):
    """The instruction page of `dossier`: the application beside the scoring form; a bound
    recusal form given here is shown again with its errors (`parts`: the dossier's
    `selectors.application_parts`, when the caller read them)."""

    parts = parts or selectors.application_parts(dossier)  # the checklist reads its attachments too
    assignments = selectors.dossier_assignments(dossier)
    # The rapporteurs read once: `reviews.score_dossier` (is_assigned) asks no query more.
    dossier.assigned_officer_ids = frozenset(a.officer_id for a in assignments)
    can_assign = (request.user.has_perm("reviews.assign", request.tenant)
                  and dossier.status in services.ASSIGNABLE)
    # The form adding a rapporteur is shown only to who may assign: its candidates too.
    candidates = selectors.assignment_candidates(
        request.tenant, dossier, assigned_ids=dossier.assigned_officer_ids,
        partners=parts["partners"]) if can_assign else []
    summary = getattr(dossier, "review_summary", None)
    review_count = summary.review_count if summary else 0
    if not request.user.has_perm("reviews.view_scores", dossier):
        summary = None  # blind review: no aggregate of the others' scores
    # The threshold is shown only beside a disagreement, which needs the aggregate.
    threshold = selectors.dossier_threshold(dossier) if summary else None
    context = {
        "review_count": review_count,
        "dossier": dossier, "assignments": assignments, "candidates": candidates,
        "eligibility_results": dossier.eligibility_results or [],
        "eligibility_reviews": selectors.eligibility_reviews(dossier),
        "documents": services.required_documents(dossier, attachments=parts["attachments"]),
        "can_confirm": dossier.status == DossierStatus.SUBMITTED,
        "can_assign": can_assign,
        "summary": summary,
        "disagree": bool(summary) and is_disagreement(summary.spread, threshold,
                                                      summary.review_count),
        "threshold": threshold,
        "history": list(audit_events_for(dossier)[:100]),
        "rules": selectors.dossier_rules(dossier),
    }
    context.update(_review_context(request, dossier))
    context.update(dossier_extras(request, dossier, recusal_form=recusal_form, parts=parts))
    return render(request, "reviews/dossier.html", context, status=status)


def dossier_extras(request, dossier, *, recusal_form=None, parts=None) -> dict:
    """What the instruction page adds around the scoring form: the application itself (so
    that it is read beside the form), the walk through the list the officer came from, and
    the voluntary recusal form."""
    from applications.budget import format_percent, summarize

    if parts is None:
        parts = selectors.application_parts(dossier)
    lines, partners = parts["budget_lines"], parts["partners"]
    budget = summarize(requested_amount=dossier.requested_amount, lines=lines)
    list_query = request.GET.get("liste", "") or request.POST.get("liste", "")
    walk = state_of.walk(tenant=request.tenant, user=request.user, list_query=list_query,
                         pk=dossier.pk)
    base = reverse("reviews:dossier", kwargs={"tenant_slug": request.tenant.slug, "pk": 0})[:-2]
    liste = urlencode({"liste": walk.list_query}) if walk else ""
    can_recuse = request.user.has_perm("reviews.declare_conflicts", request.tenant)
    return {
        "budget_lines": lines, "budget": budget, "partners": partners,
        "requested_share": format_percent(budget.requested_share),
        "self_share": format_percent(budget.self_financing_share),
        "attachments": parts["attachments"],
        "walk": walk, "liste": liste,
        "walk_previous": f"{base}{walk.previous}/?{liste}" if walk and walk.previous else "",
        "walk_next": f"{base}{walk.next}/?{liste}" if walk and walk.next else "",
        "walk_back": dashboard_url(request, walk.list_query) if walk else "",
        "recusal_form": (recusal_form or RecusalForm(dossier=dossier, partners=partners))
        if can_recuse else None,
    }


@require_POST
@tenant_view("reviews.view_dashboard")
def eligibility_confirm(request, pk: int):
    dossier = dossier_or_404(request, pk, "reviews.instruct_dossier")
    form = EligibilityConfirmForm(request.POST, results=dossier.eligibility_results or [],
                                  documents=services.required_documents(dossier))
    if not form.is_valid():
        for message in form_messages(form):
            messages.error(request, message)
        return back_to_dossier(request, dossier, "#recevabilite")
    try:
        review = services.eligibility_confirm(user=request.user, dossier=dossier,
                                              overrides=form.overrides(),
                                              checklist=form.checklist(),
                                              comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("Le dossier est désormais : %(o)s.")
                         % {"o": review.get_outcome_display()})
    return back_to_dossier(request, dossier, "#recevabilite")


@require_POST
@tenant_view("reviews.assign")
def assignment_add(request, pk: int):
    dossier = dossier_or_404(request, pk, "reviews.instruct_dossier")
    officers = {u.pk: u for u in selectors.tenant_officers(request.tenant)}
    form = OfficerForm(request.POST, officers=officers.values())
    if not form.is_valid():
        raise Http404
    officer = officers[form.cleaned_data["officer"]]
    try:
        services.assignment_add(user=request.user, dossier=dossier, officer=officer)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("%(u)s est rapporteur·rice.") % {"u": officer})
    return back_to_dossier(request, dossier, "#rapporteurs")


@require_http_methods(["GET", "POST"])
@tenant_view("reviews.assign")
def assignment_remove(request, pk: int, assignment_pk: int):
    """GET (or a POST without `confirm`): what removing the rapporteur does; with `confirm`:
    remove."""
    dossier = dossier_or_404(request, pk, "reviews.instruct_dossier")
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
            cancel_url=dossier_url(request, dossier, "#rapporteurs"), hidden=[],
            breadcrumb=dossier_breadcrumb(request, dossier))
    try:
        services.assignment_remove(user=request.user, assignment=assignment)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("%(u)s n'est plus rapporteur·rice.")
                         % {"u": assignment.officer})
    return back_to_dossier(request, dossier, "#rapporteurs")


@require_POST
@tenant_view("reviews.view_dashboard")
def review_save(request, pk: int):
    """The scoring form: `action=submit` submits, otherwise saves the draft. With
    `Accept: application/json` (autosave), answers JSON with the server's total."""
    dossier = dossier_or_404(request, pk, "reviews.instruct_dossier")
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = ReviewForm(request.POST, criteria=selectors.criteria_for(dossier))
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"ok": False, "errors": form_messages(form)}, status=400)
        for message in form_messages(form):
            messages.error(request, message)
        return back_to_dossier(request, dossier, "#evaluation")
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
            return JsonResponse({"ok": False, "errors": messages_of(exc)}, status=status)
        flash(request, exc)
        return back_to_dossier(request, dossier, "#evaluation")
    if wants_json:
        return JsonResponse({"ok": True, "version": review.version,
                             "total": f"{review.total:.2f}".replace(".", ",")
                             if review.total is not None else None,
                             "saved_at": format_time_local(review.updated_at)})
    if asks_confirmation:
        return _review_submit_confirmation(request, dossier, review)
    messages.success(request, _("Évaluation soumise.") if submit else _("Brouillon enregistré."))
    return back_to_dossier(request, dossier, "#evaluation")


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
        cancel_url=dossier_url(request, dossier, "#evaluation"), hidden=hidden,
        breadcrumb=dossier_breadcrumb(request, dossier))


@require_POST
@tenant_view("reviews.declare_conflicts")
def dossier_recuse(request, pk: int):
    """The officer steps back from this dossier: a declared link with its structure or one
    of its partners (the registry then keeps them off every dossier it touches)."""
    dossier = instruction_dossier_or_404(request, pk)
    parts = selectors.application_parts(dossier)
    form = RecusalForm(request.POST, dossier=dossier, partners=parts["partners"])
    if form.is_valid():
        siret, name = form.target()
        try:
            services.conflict_declare(tenant=request.tenant, user=request.user, siret=siret,
                                      structure_name=name, nature=form.cleaned_data["nature"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _(
                "Vous vous êtes déporté·e : les dossiers liés à %(name)s ne vous sont plus "
                "présentés et vous ne pouvez plus les évaluer. Vous pouvez retirer cette "
                "déclaration depuis « Mes liens d'intérêts ».") % {"name": name})
            list_query = request.POST.get("liste", "")
            return HttpResponseRedirect(dashboard_url(request, list_query))
    return render_instruction(request, dossier, recusal_form=form, parts=parts, status=400)
