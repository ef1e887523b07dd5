"""Pages of the calls app: the public call pages and iCalendar feeds, and the tenant admin's
configuration pages (`gestion/appels/...`)."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit import audit_events_for
from portal.confirm import confirmation_page, is_confirmed
from portal.decorators import tenant_view
from portal.pagecache import cached_page
from portal.formatting import format_datetime_local, format_money

from . import services
from .eligibility import FIELDS, field_catalogue
from .enums import CALL_ACTIONS, CallStatus
from .forms import (AppraisalCriterionForm, CallForm, CategoryForm, CloneForm, CriterionForm,
                    DocumentRequirementForm, TrackForm, attach_errors, criterion_field_specs,
                    datalist_id)
from .ical import calls_calendar
from .models import (AppraisalCriterion, Call, Category, DocumentRequirement,
                     EligibilityCriterion, RulesVersion, Track)
from .selectors import (call_with_rules, calls_by_phase, criteria_by_scope,
                        envelope_overcommitment, ical_calls, manage_calls,
                        public_call_with_rules)
from .versioning import filed_dossier_count

MANAGE = "calls.manage_call"


def apply_url(tenant, call) -> str:
    """The page where an applicant starts a dossier on `call`."""
    return reverse("applications:dossier_start",
                   kwargs={"tenant_slug": tenant.slug, "call_slug": call.slug})


def home_section_context(request) -> dict:
    """Extra context of the region home's calls section (`templates/calls/home_section.html`)."""
    now = timezone.now()
    return {"calls_by_phase": calls_by_phase(request.tenant, now), "now": now}


# --- Public pages -------------------------------------------------------------------------

@require_GET
@tenant_view()
def call_index(request):
    now = timezone.now()
    return render(request, "calls/call_index.html", {
        "calls_by_phase": calls_by_phase(request.tenant, now), "now": now})


def _visible_call(request, call_slug: str) -> Call:
    """The call with its rules; 404 for another tenant's call or a draft the user may not
    preview (its existence is not revealed)."""
    try:
        call = public_call_with_rules(request.tenant, call_slug)
    except Call.DoesNotExist:
        raise Http404("No such call") from None
    if not request.user.has_perm("calls.view_call", call):
        raise Http404("No such call")
    return call


@require_GET
@tenant_view()
@cached_page
def call_detail(request, call_slug: str):
    call = _visible_call(request, call_slug)
    now = timezone.now()
    tracks = list(call.tracks.all())
    categories = list(call.categories.all())
    for track in tracks:
        track.shown_categories = [c for c in categories if c.track_id == track.pk]
    return render(request, "calls/call_detail.html", {
        "call": call, "now": now, "is_open": call.is_open(now), "phase": call.phase(now),
        "tracks": tracks,
        "shared_categories": [c for c in categories if c.track_id is None],
        "criteria_groups": criteria_by_scope(call),
        "documents": [d for d in call.document_requirements.all() if not d.is_for_report],
        "report_documents": [d for d in call.document_requirements.all() if d.is_for_report],
        "appraisal_criteria": list(call.appraisal_criteria.all()),
        "apply_url": apply_url(request.tenant, call) if call.is_open(now) else None,
        "is_preview": call.status == CallStatus.DRAFT,
    })


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@tenant_view()
def tenant_ical(request):
    calls = list(ical_calls(request.tenant))
    content = calls_calendar(request.tenant, calls, base_url=request.build_absolute_uri("/"))
    return _ics_response(content, f"{request.tenant.slug}-appels.ics")


@require_GET
@tenant_view()
def call_ical(request, call_slug: str):
    call = get_object_or_404(Call, tenant=request.tenant, slug=call_slug)
    if call.status == CallStatus.DRAFT:
        raise Http404("No such call")
    content = calls_calendar(request.tenant, [call], base_url=request.build_absolute_uri("/"))
    return _ics_response(content, f"{request.tenant.slug}-{call.slug}.ics")


# --- Tenant admin pages ---------------------------------------------------------------------

def _managed_call(request, call_slug: str) -> Call:
    return get_object_or_404(Call, tenant=request.tenant, slug=call_slug)


def _version_warning(call: Call) -> str | None:
    """The warning shown before changing the rules of a non-draft call."""
    if call.status == CallStatus.DRAFT:
        return None
    count = filed_dossier_count(call)
    if count == 0:
        return _("Cet appel est publié : toute modification de ses règles crée la version "
                 "%(next)d. Aucun dossier n'a encore été déposé.") % {
            "next": call.rules_version + 1}
    return ngettext(
        "Cet appel est publié : toute modification de ses règles crée la version "
        "%(next)d. %(count)d dossier déjà déposé reste jugé selon la version %(version)d.",
        "Cet appel est publié : toute modification de ses règles crée la version "
        "%(next)d. %(count)d dossiers déjà déposés restent jugés selon la version "
        "%(version)d.", count) % {"count": count, "version": call.rules_version,
                                  "next": call.rules_version + 1}


def _warn_if_overcommitted(request) -> None:
    over = envelope_overcommitment(request.tenant)
    if over is not None:
        messages.warning(request, _(
            "Les enveloppes des appels de ce contrat totalisent %(total)s pour une enveloppe "
            "de contrat de %(contract)s (%(over)s de trop).") % {
            "total": format_money(over.committed), "contract": format_money(over.contract),
            "over": format_money(over.over)})


@tenant_view(MANAGE)
def manage_call_list(request):
    return render(request, "calls/manage/call_list.html", {
        "calls": list(manage_calls(request.tenant)), "now": timezone.now(),
        "envelope_over": envelope_overcommitment(request.tenant)})


@tenant_view(MANAGE)
def manage_call_create(request):
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(user=request.user, tenant=request.tenant,
                                        **form.service_data())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Appel créé (brouillon)."))
            _warn_if_overcommitted(request)
            return redirect("calls:manage_call", tenant_slug=request.tenant.slug,
                            call_slug=call.slug)
    return render(request, "calls/manage/call_form.html", {
        "form": form, "title": _("Nouvel appel à projets")})


@tenant_view(MANAGE)
def manage_call(request, call_slug: str):
    try:
        call = call_with_rules(request.tenant, call_slug)
    except Call.DoesNotExist:
        raise Http404("No such call") from None
    return render(request, "calls/manage/call_manage.html", {
        "call": call, "now": timezone.now(),
        "tracks": list(call.tracks.all()), "categories": list(call.categories.all()),
        "criteria": list(call.eligibility_criteria.all()),
        "appraisal_criteria": list(call.appraisal_criteria.all()),
        "documents": list(call.document_requirements.all()),
        "publication_problems": (services.publication_problems(call)
                                 if call.status == CallStatus.DRAFT else []),
        "version_warning": _version_warning(call),
        "envelope_over": envelope_overcommitment(request.tenant),
        "filed_count": filed_dossier_count(call),
        "versions": list(RulesVersion.objects.filter(call=call)
                         .select_related("created_by").order_by("-version")[:20]),
        "history": list(audit_events_for(call)[:20]),
    })


@tenant_view(MANAGE)
def manage_call_edit(request, call_slug: str):
    call = _managed_call(request, call_slug)
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_update(user=request.user, call=call, **form.service_data())
        except ValidationError as exc:
            attach_errors(form, exc)
            call.refresh_from_db()  # links on the page use the stored slug
        else:
            messages.success(request, _("Appel enregistré."))
            _warn_if_overcommitted(request)
            return redirect("calls:manage_call", tenant_slug=request.tenant.slug,
                            call_slug=call.slug)
    return render(request, "calls/manage/call_form.html", {
        "form": form, "call": call, "title": _("Modifier l'appel"),
        "version_warning": _version_warning(call)})


def _transition(request, call_slug: str, service, success: str):
    call = _managed_call(request, call_slug)
    try:
        service(user=request.user, call=call)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("calls:manage_call", tenant_slug=request.tenant.slug, call_slug=call.slug)


def _manage_url(request, call: Call) -> str:
    return reverse("calls:manage_call", kwargs={"tenant_slug": request.tenant.slug,
                                                "call_slug": call.slug})


def _call_breadcrumb(request, call: Call):
    return [(_("Appels"), reverse("calls:manage_call_list",
                                  kwargs={"tenant_slug": request.tenant.slug})),
            (call.title, _manage_url(request, call))]


def _period(call: Call) -> str:
    if call.opens_at and call.closes_at:
        return _("Les candidatures sont ouvertes du %(start)s au %(end)s.") % {
            "start": format_datetime_local(call.opens_at),
            "end": format_datetime_local(call.closes_at)}
    return _("Les candidatures sont ouvertes selon les dates de l'appel.")


@require_http_methods(["GET", "POST"])
@tenant_view(MANAGE)
def manage_call_publish(request, call_slug: str):
    """GET (or a POST without `confirm`): what publishing does; with `confirm`: publish."""
    if is_confirmed(request):
        return _transition(request, call_slug, services.call_publish, _("Appel publié."))
    call = _managed_call(request, call_slug)
    if call.status not in CALL_ACTIONS["publish"] or services.publication_problems(call):
        return _transition(request, call_slug, services.call_publish, _("Appel publié."))
    consequences = [_("L'appel apparaît sur la page publique de la région, visible de tous."),
                    _period(call),
                    _("Ses règles (volets, catégories, critères, pièces) sont enregistrées en "
                      "version %(n)d : une modification ultérieure crée une nouvelle version, "
                      "les dossiers déjà déposés gardent la leur.")
                    % {"n": call.rules_version + (0 if call.rules_version else 1)}]
    return confirmation_page(
        request, title=_("Publier l'appel « %(title)s »") % {"title": call.title},
        lead=_("Une fois publié, l'appel ne peut plus redevenir un brouillon : il pourra "
               "seulement être clos ou archivé."),
        consequences=consequences, button=_("Publier l'appel"),
        cancel_url=_manage_url(request, call), hidden=[],
        breadcrumb=_call_breadcrumb(request, call), danger=False)


@require_http_methods(["GET", "POST"])
@tenant_view(MANAGE)
def manage_call_close(request, call_slug: str):
    """GET (or a POST without `confirm`): what closing does; with `confirm`: close."""
    if is_confirmed(request):
        return _transition(request, call_slug, services.call_close, _("Appel clos."))
    call = _managed_call(request, call_slug)
    return confirmation_page(
        request, title=_("Clore l'appel « %(title)s »") % {"title": call.title},
        lead=_("Une fois l'appel clos, plus aucun dossier ne peut être déposé, même avant la "
               "date de clôture annoncée."),
        consequences=[_("Les brouillons en cours ne pourront plus être déposés."),
                      _("Les dossiers déjà déposés restent à instruire.")],
        button=_("Clore l'appel"), cancel_url=_manage_url(request, call), hidden=[],
        breadcrumb=_call_breadcrumb(request, call))


@require_POST
@tenant_view(MANAGE)
def manage_call_archive(request, call_slug: str):
    return _transition(request, call_slug, services.call_archive, _("Appel archivé."))


@require_http_methods(["GET", "POST"])
@tenant_view(MANAGE)
def manage_call_delete(request, call_slug: str):
    call = _managed_call(request, call_slug)
    if not is_confirmed(request):
        return confirmation_page(
            request, title=_("Supprimer le brouillon « %(title)s »") % {"title": call.title},
            lead=_("Le brouillon, ses volets, catégories, critères et pièces demandées sont "
                   "supprimés ; cela ne peut pas être annulé."),
            button=_("Supprimer le brouillon"), cancel_url=_manage_url(request, call),
            hidden=[], breadcrumb=_call_breadcrumb(request, call))
    try:
        services.call_delete(user=request.user, call=call)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("calls:manage_call", tenant_slug=request.tenant.slug,
                        call_slug=call.slug)
    messages.success(request, _("Brouillon supprimé."))
    return redirect("calls:manage_call_list", tenant_slug=request.tenant.slug)


@tenant_view(MANAGE)
def manage_call_clone(request, call_slug: str):
    call = _managed_call(request, call_slug)
    year = (call.opens_at.year + 1) if call.opens_at else None
    form = CloneForm(request.POST or None, initial={
        "title": call.title, "slug": f"{call.slug}-{year}" if year else f"{call.slug}-copie",
        "shift_years": 1})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.call_clone(user=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Appel dupliqué : le nouveau brouillon est prêt."))
            return redirect("calls:manage_call", tenant_slug=request.tenant.slug,
                            call_slug=new.slug)
    return render(request, "calls/manage/clone_form.html", {"form": form, "call": call})


# --- Items of a call (tracks, categories, criteria, documents) ------------------------------

ITEM_KINDS = {
    "volets": (Track, TrackForm, _("volet"), "tracks"),
    "categories": (Category, CategoryForm, _("catégorie"), "categories"),
    "criteres": (EligibilityCriterion, CriterionForm, _("critère d'éligibilité"), "criteria"),
    "appreciation": (AppraisalCriterion, AppraisalCriterionForm, _("critère d'appréciation"),
                     "appraisal"),
    "pieces": (DocumentRequirement, DocumentRequirementForm, _("pièce à fournir"),
               "documents"),
}

ITEM_TITLES = {
    "volets": (_("Nouveau volet"), _("Modifier le volet")),
    "categories": (_("Nouvelle catégorie"), _("Modifier la catégorie")),
    "criteres": (_("Nouveau critère d'éligibilité"), _("Modifier le critère d'éligibilité")),
    "appreciation": (_("Nouveau critère d'appréciation"),
                     _("Modifier le critère d'appréciation")),
    "pieces": (_("Nouvelle pièce à fournir"), _("Modifier la pièce à fournir")),
}


def _item_kind(kind: str):
    if kind not in ITEM_KINDS:
        raise Http404("Unknown item kind")
    return ITEM_KINDS[kind]


def _criterion_preview(request, call: Call, form, item):
    """The sentence the applicant will read, for the criterion being typed, without saving:
    JSON for the page's script (static/calls/criterion.js), or the page itself (no script)."""
    preview = form.preview() if form.is_valid() else {}
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({
            "sentence": str(preview.get("sentence", "")), "failure": str(preview.get("failure", "")),
            "blocking": preview.get("blocking", True),
            "errors": {name: [str(m) for m in errors] for name, errors in form.errors.items()}})
    return _item_render(request, call, "criteres", item, form, preview=preview)


def _item_render(request, call, kind, item, form, *, preview=None):
    model = _item_kind(kind)[0]
    titles = ITEM_TITLES[kind]
    is_criterion = model is EligibilityCriterion
    return render(request, "calls/manage/criterion_form.html" if is_criterion
                  else "calls/manage/item_form.html", {
        "form": form, "call": call, "kind": kind, "item": item,
        "title": titles[0] if item is None else titles[1],
        "version_warning": _version_warning(call),
        "catalogue": field_catalogue() if is_criterion else None,
        "field_specs": json.dumps(criterion_field_specs()) if is_criterion else None,
        "datalists": [(datalist_id(f.key), [str(label) for _code, label in f.choices])
                      for f in FIELDS.values() if f.choices] if is_criterion else None,
        "preview": preview,
    })


def _item_page(request, call: Call, kind: str, item=None):
    model, form_class, _label, anchor = _item_kind(kind)
    form = form_class(request.POST or None, instance=item, call=call)
    if (request.method == "POST" and model is EligibilityCriterion
            and request.POST.get("action") == "preview"):
        return _criterion_preview(request, call, form, item)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                services.item_create(user=request.user, call=call, model=model,
                                     **form.service_data())
            else:
                services.item_update(user=request.user, item=item, **form.service_data())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Enregistré."))
            call.refresh_from_db(fields=["rules_version"])
            if call.status != CallStatus.DRAFT:
                messages.warning(request, _("Les règles de l'appel sont passées en version "
                                            "%(version)d.") % {"version": call.rules_version})
            url = reverse("calls:manage_call", kwargs={"tenant_slug": request.tenant.slug,
                                                       "call_slug": call.slug})
            return redirect(f"{url}#{anchor}")
    return _item_render(request, call, kind, item, form)


@tenant_view(MANAGE)
def manage_item_create(request, call_slug: str, kind: str):
    call = _managed_call(request, call_slug)
    return _item_page(request, call, kind)


@tenant_view(MANAGE)
def manage_item_edit(request, call_slug: str, kind: str, pk: int):
    call = _managed_call(request, call_slug)
    model = _item_kind(kind)[0]
    item = get_object_or_404(model, call=call, pk=pk)
    return _item_page(request, call, kind, item)


@require_http_methods(["GET", "POST"])
@tenant_view(MANAGE)
def manage_item_delete(request, call_slug: str, kind: str, pk: int):
    call = _managed_call(request, call_slug)
    model, _form, label = _item_kind(kind)[:3]
    item = get_object_or_404(model, call=call, pk=pk)
    if call.status != CallStatus.DRAFT and not is_confirmed(request):
        count = filed_dossier_count(call)
        consequences = [_("La suppression crée la version %(n)d des règles de l'appel.")
                        % {"n": call.rules_version + 1},
                        ngettext("Le dossier déjà déposé garde les règles de sa version.",
                                 "Les %(n)s dossiers déjà déposés gardent les règles de leur "
                                 "version.", count) % {"n": count} if count else
                        _("Aucun dossier n'a encore été déposé.")]
        return confirmation_page(
            request, title=_("Supprimer « %(item)s »") % {"item": item},
            lead=_("L'appel « %(title)s » est publié : les candidat·es ne verront plus ce "
                   "%(kind)s.") % {"title": call.title, "kind": label},
            consequences=consequences, button=_("Supprimer définitivement"),
            cancel_url=_manage_url(request, call), hidden=[],
            breadcrumb=_call_breadcrumb(request, call))
    try:
        services.item_delete(user=request.user, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Supprimé."))
    return redirect("calls:manage_call", tenant_slug=request.tenant.slug, call_slug=call.slug)
