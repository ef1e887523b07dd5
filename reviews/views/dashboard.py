"""The instruction dashboard: filters, predefined and saved views, sortable columns, pagination,
row selection and the batch actions run on it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.enums import DossierStatus
from applications.workflow import status_choices
from portal.decorators import tenant_view
from portal.formatting import format_date_local, format_money
from portal.pagecache import cached_page

from .. import dashboard as state_of, selectors, services
from .common import dashboard_url
from ..enums import BatchAction
from ..forms import SavedViewForm
from ..models import BatchJob, SavedView
from ..scoring import is_disagreement


def batch_forms(request, data=None) -> dict:
    """The batch actions the user may launch, each with its parameters' form."""
    from ..batch import batch_actions_for
    from ..enums import BatchAction
    from ..forms import (BatchAgendaForm, BatchAssignForm, BatchEligibilityForm,
                        batch_completion_form)

    builders = {
        BatchAction.ELIGIBILITY_CONFIRM: lambda: BatchEligibilityForm(data),
        BatchAction.ASSIGN: lambda: BatchAssignForm(data, tenant=request.tenant),
        BatchAction.REQUEST_COMPLETION: lambda: batch_completion_form(data),
        BatchAction.AGENDA_ADD: lambda: BatchAgendaForm(data, tenant=request.tenant),
    }
    return {action: builders[action]()
            for action in batch_actions_for(request.user, request.tenant)}


def _row_formatter(*, head: str, tail: str, threshold, checked: set):
    """A function giving a line of the table with its cells' text formatted once, in the view:
    the same values through the template's filters and localisation cost twice the rest of
    the row's rendering (about 2 ms a page of 30). The page's words are translated once."""
    submitted, to_review, check = _("soumise"), _("à évaluer"), _("Cocher %(ref)s")
    separator = get_format("DECIMAL_SEPARATOR")

    def score(value) -> str:  # what localize() gives a score (0 to 20: never grouped)
        return "—" if value is None else f"{value:f}".replace(".", separator)

    def row(d) -> dict:
        pk, mine = str(d.pk), d.mine
        return {
            "dossier": d, "mine": mine, "url": f"{head}{pk}{tail}", "pk": pk,
            "disagree": d.scores_visible and is_disagreement(d.spread, threshold,
                                                             d.review_count),
            "checked": d.pk in checked, "check_label": check % {"ref": d.reference},
            "reference": d.reference, "structure_name": d.structure_name,
            "structure_siret": d.structure_siret, "status_label": d.status_label,
            "call": f"{d.call_title} · {d.category_title}" if d.category_title else d.call_title,
            "amount": format_money(d.requested_amount) or "—",
            "date": format_date_local(d.submitted_at) if d.submitted_at else "—",
            "review_count": str(d.review_count), "mean": score(d.mean),
            "median": score(d.median), "spread": score(d.spread),
            "mine_label": submitted if mine == "submitted" else to_review if mine else "—",
        }

    return row


FOLDED_FILTERS = ("call", "track", "category", "funder", "status", "eligibility",
                  "submitted_from", "submitted_to", "score_min", "score_max", "mine",
                  "disagreement")


def dashboard_context(request, state, *, saved_form=None, forms=None, checked=(),
                      open_action="") -> dict:
    """Everything the dashboard page shows, for `state` (reviews.dashboard.parse)."""
    tenant, user = request.tenant, request.user
    params = state.params
    qs, counters_qs = selectors.dashboard_queryset(tenant, user, params)
    counters = selectors.state_counters(counters_qs)
    total = counters.get(params["status"], 0) if params.get("status") else sum(counters.values())
    paginator = Paginator(qs, state.per_page)
    paginator.__dict__["count"] = total  # the counters already counted them
    page = paginator.get_page(request.GET.get("page"))
    threshold = params["threshold"]
    start = (page.number - 1) * state.per_page
    dossiers = selectors.dashboard_rows(
        qs, user, tenant=tenant, sort=params.get("sort") or "", start=start,
        stop=start + state.per_page) if total else []
    list_query = state.list_query
    if params.get("ids"):
        list_query = state.querystring(ids=",".join(map(str, params["ids"])))
    liste = urlencode({"liste": list_query}) if list_query else ""
    # one reverse() for the page: the dossiers' addresses differ by their number only
    head, _marker, tail = reverse("reviews:dossier", kwargs={
        "tenant_slug": tenant.slug, "pk": 987654321}).rpartition("987654321")
    tail += f"?{liste}" if liste else ""
    checked = set(checked) | set(params.get("ids") or [])
    row = _row_formatter(head=head, tail=tail, threshold=threshold, checked=checked)
    rows = [row(d) for d in dossiers]
    # the state filter's options say how many dossiers each would give (faceted counts)
    status_field = state.form["status"].field
    status_field.choices = [(value, f"{label} ({counters.get(value, 0)})" if value else label)
                            for value, label in status_field.choices]
    saved = list(SavedView.objects.filter(tenant=tenant, owner=user))
    normalised = state_of.normalised_query(state.query)
    hidden = selectors.conflict_sirets(user, tenant)
    return {
        "form": state.form, "state": state, "page": page, "rows": rows, "threshold": threshold,
        "counters": [{"value": value, "label": label, "n": counters.get(value, 0),
                      "active": params.get("status") == value,
                      "query": state.querystring(status="" if params.get("status") == value
                                                 else value)}
                     for value, label in DossierStatus.choices if value != DossierStatus.DRAFT],
        "pipeline": [(str(label), counters[value]) for value, label in status_choices()
                     if value != DossierStatus.DRAFT and counters.get(value)],
        "total": total, "query": state.querystring(), "liste": liste,
        "columns": state.sort_links(), "has_conflicts": bool(hidden),
        "presets": [{"slug": slug, "label": label, "active": state.view == slug,
                     "query": urlencode({"view": slug})}
                    for slug, (label, _f) in state_of.PRESETS.items()],
        "saved_views": [{"view": v, "active": v.query == normalised and bool(normalised)}
                        for v in saved],
        "saved_form": saved_form or SavedViewForm(),
        "normalised_query": normalised, "page_sizes": state_of.PAGE_SIZES,
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                                 on_ends=0)),
        "selection": params.get("ids") or [],
        "active_filters": sum(1 for name in FOLDED_FILTERS if state.query.get(name)),
        "checked": checked,
        "batch": [{"action": action, "label": BatchAction(action).label, "form": form,
                   "open": action == open_action}
                  for action, form in (forms or batch_forms(request)).items()],
    }


@require_GET
@tenant_view("reviews.view_dashboard")
@cached_page
def dashboard(request):
    state = state_of.parse(request.GET, tenant=request.tenant, user=request.user)
    return render(request, "reviews/dashboard.html", dashboard_context(request, state))


@require_POST
@tenant_view("reviews.view_dashboard")
def saved_view_save(request):
    query = state_of.normalised_query(QueryDict(request.POST.get("query", "")))
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = services.saved_view_create(user=request.user, tenant=request.tenant,
                                              name=form.cleaned_data["name"], query=query)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Vue « %(name)s » enregistrée.") % {"name": view.name})
            return HttpResponseRedirect(dashboard_url(request, view.query))
    # shown again with its error and what was typed, on the list it was saving
    state = state_of.parse(QueryDict(query), tenant=request.tenant, user=request.user)
    return render(request, "reviews/dashboard.html",
                  dashboard_context(request, state, saved_form=form), status=400)


@require_POST
@tenant_view("reviews.view_dashboard")
def saved_view_delete(request, view_pk: int):
    view = get_object_or_404(SavedView, tenant=request.tenant, owner=request.user, pk=view_pk)
    name = view.name
    services.saved_view_delete(user=request.user, view=view)
    messages.success(request, _("Vue « %(name)s » supprimée.") % {"name": name})
    return redirect("reviews:dashboard", tenant_slug=request.tenant.slug)


@require_POST
@tenant_view("reviews.view_dashboard")
def selection(request):
    """The selected rows (checkboxes of the dashboard) and what to do with them: walk
    through them one dossier after the other, or export them. Posted (the selection form
    carries the CSRF token), answered by a redirect to a plain GET address."""
    ids = state_of._ids(request.POST.getlist("ids"))
    list_query = request.POST.get("list_query", "")
    if not ids:
        messages.error(request, _("Cochez au moins un dossier."))
        return HttpResponseRedirect(dashboard_url(request, list_query))
    query = QueryDict(list_query, mutable=True)
    query["ids"] = ",".join(map(str, ids))
    action = request.POST.get("action")
    if action in BatchAction.values:
        return _batch(request, action, ids, list_query)
    if action in ("export_csv", "export_xlsx", "export_ods"):
        try:
            url = reverse(f"reviews:{action}", kwargs={"tenant_slug": request.tenant.slug})
        except Exception:  # noqa: BLE001 - a format not offered by this portal
            raise Http404 from None
        return HttpResponseRedirect(f"{url}?{query.urlencode()}")
    # walk: the first selected dossier the officer may open, the others follow
    state = state_of.parse(query, tenant=request.tenant, user=request.user)
    ordered = selectors.dashboard_ids(request.tenant, request.user, state.params)
    if not ordered:
        messages.error(request, _("Aucun des dossiers cochés n'est accessible."))
        return HttpResponseRedirect(dashboard_url(request, list_query))
    url = reverse("reviews:dossier", kwargs={"tenant_slug": request.tenant.slug,
                                             "pk": ordered[0]})
    return HttpResponseRedirect(f"{url}?{urlencode({'liste': query.urlencode()})}")


def _batch(request, action: str, ids: list[int], list_query: str):
    """Launch a batch action on the checked dossiers; its parameters' errors are shown again
    on the dashboard with what was typed and the same boxes checked."""
    from ..batch import BatchError, batch_start

    forms = batch_forms(request, data=request.POST)
    form = forms.get(action)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            job = batch_start(user=request.user, tenant=request.tenant, action=action,
                              dossier_ids=ids, params=form.params())
        except BatchError as exc:
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                  else [(None, exc.messages)]):
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("reviews:batch", tenant_slug=request.tenant.slug, job_pk=job.pk)
    state = state_of.parse(QueryDict(list_query), tenant=request.tenant, user=request.user)
    return render(request, "reviews/dashboard.html",
                  dashboard_context(request, state, forms=forms, checked=ids,
                                    open_action=action), status=400)


@require_GET
@tenant_view("reviews.view_dashboard")
def batch_detail(request, job_pk: int):
    """The batch's progress (polled by static/reviews/batch.js) and each dossier's outcome."""
    from ..batch import batch_progress

    job = get_object_or_404(BatchJob, tenant=request.tenant, user=request.user, pk=job_pk)
    return render(request, "reviews/batch.html", {"job": job, "progress": batch_progress(job)})


@require_GET
@tenant_view("reviews.view_dashboard")
def batch_progress(request, job_pk: int):
    from django.http import JsonResponse

    from ..batch import batch_progress as progress

    job = get_object_or_404(BatchJob, tenant=request.tenant, user=request.user, pk=job_pk)
    return JsonResponse(progress(job))
