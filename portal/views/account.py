"""A signed-in user's own pages: my spaces, accepting an invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from ..models import Invitation
from ..selectors import pending_invitations_for_user, spaces_for_user
from ..services import invitation_accept


@login_required
def my_spaces(request):
    return render(request, "portal/my_spaces.html", {
        "spaces": spaces_for_user(request.user),
        "invitations": pending_invitations_for_user(request.user),
    })


@login_required
def invitation_accept_view(request, token: str):
    with scopes_disabled():  # tenant lookup: the token names the tenant
        invitation = Invitation.objects.select_related("tenant", "organization").filter(
            token=token).first()
    if invitation is None or invitation.email.lower() != request.user.email.lower():
        raise Http404
    with scope(tenant=invitation.tenant):
        if request.method == "POST":
            try:
                invitation_accept(user=request.user, invitation=invitation)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect("portal:my_spaces")
            messages.success(request, _("Bienvenue : vous êtes désormais %(role)s de %(tenant)s.")
                             % {"role": invitation.get_role_display(),
                                "tenant": invitation.tenant.name})
            return redirect("portal:my_spaces")
        return render(request, "portal/invitation_accept.html", {"invitation": invitation})
