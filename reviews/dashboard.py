"""The instruction dashboard's state, read from the query string: filters, predefined views,
sort, page and page size, the selection — and the walk from one dossier of that list to the
next. Pure parsing and URL building; the reads are `selectors.dashboard_queryset` and
`selectors.dashboard_ids`."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from . import selectors
from .forms import DashboardFilterForm

#: One click away (Hypha's "quick filters", HotCRP's "search in"): slug → (label, filters).
PRESETS: dict[str, tuple] = {
    "a-evaluer": (_("À évaluer par moi"), {"to_review": True}),
    "mes-dossiers": (_("Mes dossiers"), {"mine": True}),
    "completude": (_("En attente de complétude"), {"status": "completion_requested"}),
    "desaccord": (_("Désaccord entre évaluateur·rices"), {"disagreement": True}),
    "comite": (_("Prêts pour le comité"), {"ready": True}),
}

PAGE_SIZES = (10, 30, 50, 100)
DEFAULT_PAGE_SIZE = 30

#: Keys of the query string that describe the list (kept in saved views and in the walk);
#: `page` and the selection are not part of a view.
LIST_KEYS = tuple(DashboardFilterForm.base_fields) + ("view", "per_page")

#: The table's columns: (sort key or None, label); a click on a header sorts by it, a second
#: click reverses the order.
COLUMNS = [
    ("reference", _("Référence")), ("structure", _("Structure")),
    ("call", _("Appel · catégorie")), ("status", _("État")), ("amount", _("Demandé")),
    ("date", _("Déposé le")), ("reviews", _("Évaluations")), ("score", _("Moyenne /20")),
    ("median", _("Médiane")), ("spread", _("Écart")), ("mine", _("Moi")),
]

def _ids(raw) -> list[int] | None:
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    ids = []
    for value in values:
        for part in str(value or "").replace(";", ",").split(","):
            part = part.strip()
            if part.isdigit() and 0 < int(part) < 2**31:
                ids.append(int(part))
    return list(dict.fromkeys(ids)) or None


@dataclass
class DashboardState:
    form: DashboardFilterForm
    params: dict
    view: str
    per_page: int
    query: QueryDict  # the list's keys only (no page, no selection)

    def querystring(self, **changes) -> str:
        q = self.query.copy()
        for key, value in changes.items():
            q.pop(key, None)
            if value not in (None, ""):
                q[key] = value
        return q.urlencode()

    @property
    def list_query(self) -> str:
        return self.query.urlencode()

    def sort_links(self) -> list[dict]:
        """Each column's header: the link that sorts by it (a second click reverses the
        order) and, on the column the list is sorted by, its aria-sort direction."""
        current = self.params.get("sort") or "date"
        columns = []
        for key, label in COLUMNS:
            if current in (key, f"-{key}"):
                target = key if current.startswith("-") else f"-{key}"
                state = "descending" if _descending(current) else "ascending"
            else:
                target, state = key, None
            columns.append({"key": key, "label": label, "aria_sort": state,
                            "query": self.querystring(sort="" if target == "date" else target)})
        return columns


def _descending(sort_key: str) -> bool:
    """Whether `SORTS[sort_key]` lists the largest first (its first field is descending)."""
    return selectors.SORTS.get(sort_key, ("-submitted_at",))[0].startswith("-")


def parse(data: QueryDict, *, tenant, user=None) -> DashboardState:
    """Read the dashboard's query string. Invalid filters are shown with their error and
    ignored; valid ones apply (one wrong date does not empty the list)."""
    query = QueryDict(mutable=True)
    for key in LIST_KEYS:
        for value in data.getlist(key):
            if value not in ("", None):
                query.appendlist(key, value)
    form = DashboardFilterForm(query if any(k in query for k in DashboardFilterForm.base_fields)
                               else None, tenant=tenant)
    params: dict = {}
    if form.is_bound:
        form.is_valid()
        params = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    view = data.get("view") or ""
    if view in PRESETS:
        params.update(PRESETS[view][1])
    else:
        view = ""
        query.pop("view", None)
    try:
        per_page = int(data.get("per_page") or DEFAULT_PAGE_SIZE)
    except ValueError:
        per_page = DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE
        query.pop("per_page", None)
    ids = _ids(data.getlist("ids"))
    if ids is not None:
        params["ids"] = ids
    call = None
    if params.get("call"):
        from calls.models import Call

        call = Call(pk=params["call"], tenant=tenant)  # only its id is used
    params["threshold"] = selectors.disagreement_threshold(tenant, call)
    return DashboardState(form=form, params=params, view=view, per_page=per_page, query=query)


def normalised_query(data: QueryDict) -> str:
    """The list part of a query string, in a stable order (what a saved view stores)."""
    q = QueryDict(mutable=True)
    for key in LIST_KEYS:
        values = [v for v in data.getlist(key) if v not in ("", None)]
        if values:
            q.setlist(key, values)
    return q.urlencode()


@dataclass(frozen=True)
class Walk:
    """Where a dossier stands in the list the officer came from."""

    position: int  # 1-based
    total: int
    previous: int | None
    next: int | None
    list_query: str  # the list's query string, selection included


def walk(*, tenant, user, list_query: str, pk: int) -> Walk | None:
    """Previous and next dossier of the list described by `list_query` (a dashboard query
    string, possibly with a selection `ids`): one query for the list's ids."""
    if not list_query:
        return None
    data = QueryDict(list_query)
    state = parse(data, tenant=tenant, user=user)
    ids = selectors.dashboard_ids(tenant, user, state.params)
    if pk not in ids:
        return None
    index = ids.index(pk)
    return Walk(position=index + 1, total=len(ids),
                previous=ids[index - 1] if index > 0 else None,
                next=ids[index + 1] if index + 1 < len(ids) else None,
                list_query=list_query)
