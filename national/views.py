"""The national view (tenant-less pages under /national/): figures of every regional contract
for the national officers, read-only; the platform admin grants the role. A user without it
gets 404 (the page is not revealed)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.forms import apply_validation_error

from . import selectors, services
from .exports import write_national_xlsx
from .forms import NationalOfficerForm
from .models import NationalOfficer


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404


@require_GET
@login_required
def overview(request):
    _require(request, "national.view")
    data = selectors.national_overview()
    return render(request, "national/overview.html", data)


@require_GET
@login_required
def export_xlsx(request):
    _require(request, "national.view")
    services.national_export_record(user=request.user)
    fh = tempfile.TemporaryFile()
    write_national_xlsx(fh, selectors.national_overview())
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename="chiffres-nationaux.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument"
                                     ".spreadsheetml.sheet")


@login_required
def officers(request):
    """The platform admin's list of national officers, and the form that grants the role."""
    if not request.user.has_perm("national.grant"):
        raise PermissionDenied
    form = NationalOfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.national_officer_grant(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rôle d'agent·e national·e accordé à %(email)s.")
                             % {"email": form.cleaned_data["email"]})
            return redirect("national:officers")
    return render(request, "national/officers.html", {
        "form": form, "officers": NationalOfficer.objects.select_related("user", "granted_by")})


@require_POST
@login_required
def officer_revoke(request, pk: int):
    if not request.user.has_perm("national.grant"):
        raise PermissionDenied
    officer = get_object_or_404(NationalOfficer.objects.select_related("user"), pk=pk)
    services.national_officer_revoke(user=request.user, officer=officer)
    messages.success(request, _("Rôle retiré à %(email)s.") % {"email": officer.user.email})
    return redirect("national:officers")
