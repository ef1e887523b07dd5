"""The dashboard's selection exported (CSV, XLSX, ODS), exactly the list the officer is looking
at."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.decorators import tenant_view

from .. import selectors, services


def _dashboard_params(request):
    """The dashboard's filters, predefined view and selection (reviews.dashboard.parse): the
    exports give exactly the list the officer is looking at."""
    from ..dashboard import parse

    state = parse(request.GET, tenant=request.tenant, user=request.user)
    return state.form, state.params


def _export_selection(request):
    """(queryset, threshold) of the dashboard's selection for the exports; conflicted
    dossiers are never in it, and the reviews and aggregate of a dossier whose scores the
    user may not read yet (blind review) are left out like on the pages."""
    from ..exports import export_queryset

    _form, params = _dashboard_params(request)
    qs, _c = selectors.dashboard_queryset(request.tenant, request.user, params)
    return export_queryset(qs.prefetch_related(selectors.reviews_prefetch())), params["threshold"]


def _export_groups(qs, threshold):
    """One (sheet title, rows) group per call of the selection, calls by title."""
    from calls.models import Call

    from ..exports import rows

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

    from ..exports import csv_lines, rows

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

    from ..exports import summary

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
    from ..exports import write_xlsx

    return _spreadsheet_response(
        request, write_xlsx, "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_GET
@tenant_view("reviews.view_dashboard")
def export_ods(request):
    from ..exports import write_ods

    return _spreadsheet_response(request, write_ods, "ods",
                                 "application/vnd.oasis.opendocument.spreadsheet")
