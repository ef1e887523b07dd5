"""The PDF export of a dossier, laid out by a worker, never inside the request.

The user asks (`export_request`: a row and a task queued through the outbox), lands on the
export's page which follows its state (static/applications/dossier-export.js polls
`export_progress`; without script the page refreshes itself), then downloads the finished file
from the private storage (a folder or a bucket: portal.storage) through a view that checks the
permission on the dossier again and serves only the user's own export (another's: 404).

The worker (`export_run`) renders the HTML first, which is cheap, and keeps its checksum: an
unchanged dossier reuses the file already laid out (no second WeasyPrint run); a dossier that
changed is laid out again.

An export is a copy for the moment: it is kept `EXPORT_KEEP` (the daily
`applications.dossier_exports_expire` job deletes older ones). Whatever deletes an export row
(that job, the retention purge of its dossier, the deletion of an account) deletes its file
too once no other export names it (`export_deleted`, a post_delete receiver).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.outbox import enqueue
from portal.storage import private_file_delete, private_file_exists, save_private_file

from .enums import ExportState
from .models import Dossier, DossierExport

logger = logging.getLogger(__name__)

EXPORT_TEMPLATE = "pdf/dossier_export.html"
TASK = "applications.dossier_export"
#: How long a finished export stays downloadable.
EXPORT_KEEP = timedelta(days=7)


@transaction.atomic
def export_request(*, user, dossier, language: str = "fr") -> DossierExport:
    """Queue the export of `dossier` for `user` (the pending one if they already asked)."""
    if not user.has_perm("applications.view_dossier", dossier):
        raise PermissionDenied("applications.view_dossier")
    pending = (DossierExport.objects.filter(dossier=dossier, requested_by=user,
                                            language=language,
                                            state__in=[ExportState.QUEUED, ExportState.RUNNING])
               .first())
    if pending is not None:
        return pending
    export = DossierExport.objects.create(tenant=dossier.tenant, dossier=dossier,
                                          requested_by=user, language=language)
    enqueue(TASK, export_id=export.pk)
    return export


def _finish(export: DossierExport, **fields) -> DossierExport:
    for name, value in fields.items():
        setattr(export, name, value)
    DossierExport.objects.filter(pk=export.pk).update(**fields)
    return export


def export_run(*, export_id: int, now: datetime | None = None) -> DossierExport | None:
    """Lay the export out (what the task does). Idempotent: a finished or failed export is
    left as it is; a dossier whose HTML did not change reuses the stored file."""
    from portal.pdf import layout_pdf, render_pdf_html

    from .receipts import pdf_context

    export = (DossierExport.objects.select_related("requested_by", "tenant")
              .filter(pk=export_id).first())
    if export is None or not export.is_pending:
        return export
    DossierExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING,
                                                      started_at=now or timezone.now())
    dossier = (Dossier.objects.select_related("tenant", "call", "track", "category", "structure")
               .get(pk=export.dossier_id))
    with translation.override(export.language):
        if not export.requested_by.has_perm("applications.view_dossier", dossier):
            # a conflict declared, a membership ended since the request: nothing is rendered
            return _finish(export, state=ExportState.FAILED, finished_at=timezone.now(),
                           error=_("Vous n’avez plus accès à ce dossier."))
        try:
            html = render_pdf_html(template_name=EXPORT_TEMPLATE, context=pdf_context(dossier),
                                   language=export.language)
            digest = hashlib.sha256(html.encode()).hexdigest()
            same = (DossierExport.objects.filter(dossier=dossier, language=export.language,
                                                 source_hash=digest,
                                                 state=ExportState.FINISHED)
                    .exclude(pk=export.pk).order_by("-finished_at").first())
            if same is not None and private_file_exists(same.file_path):
                path, size, sha256 = same.file_path, same.size, same.sha256
            else:
                content = layout_pdf(html)
                path = save_private_file(folder=f"exports/{dossier.tenant.slug}", suffix=".pdf",
                                         content=content)
                size, sha256 = len(content), hashlib.sha256(content).hexdigest()
        except Exception:  # noqa: BLE001 - the user is told; the log has the traceback
            logger.exception("dossier export %s failed", export.pk)
            return _finish(export, state=ExportState.FAILED, finished_at=timezone.now(),
                           error=_("La mise en page du PDF a échoué. Relancez l’export ; si "
                                   "l’échec se répète, écrivez à l’équipe du contrat."))
    return _finish(export, state=ExportState.FINISHED, finished_at=timezone.now(),
                   source_hash=digest, file_path=path, size=size, sha256=sha256)


def export_progress(export: DossierExport) -> dict:
    """What the export's page polls: its state, in words too."""
    return {"state": export.state, "label": str(export.get_state_display()),
            "finished": not export.is_pending,
            "failed": export.state == ExportState.FAILED, "error": export.error}


def exports_expire(*, tenant, now: datetime | None = None) -> int:
    """Delete the exports of `tenant` asked for more than EXPORT_KEEP ago (their files go with
    them, see `export_deleted`); how many went."""
    cutoff = (now or timezone.now()) - EXPORT_KEEP
    deleted, _counts = DossierExport.objects.filter(tenant=tenant, created_at__lt=cutoff).delete()
    return deleted


def export_deleted(sender, instance, **kwargs) -> None:
    """post_delete of DossierExport: once the deletion commits, delete its file unless another
    export (an unchanged dossier's later one) still names it. The base manager looks the path
    up whatever the scope: it is a random name under exports/<tenant>/."""
    path = instance.file_path
    if not path:
        return

    def remove():
        if not DossierExport._base_manager.filter(file_path=path).exists():
            private_file_delete(path)

    transaction.on_commit(remove)
