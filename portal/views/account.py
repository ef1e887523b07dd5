"""A signed-in user's own pages: my spaces, accepting an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from ..audit import audit_log
from ..forms import PreferencesForm
from ..models import Invitation
from ..selectors import pending_invitations_for_user, spaces_for_user
from ..services import invitation_accept


@login_required
def my_spaces(request):
    return render(request, "portal/my_spaces.html", {
        "spaces": spaces_for_user(request.user),
        "invitations": pending_invitations_for_user(request.user),
        "my_space_sections": ["applications/_my_space_section.html"],
    })


@login_required
def after_two_factor(request):
    """Once TOTP is on, go on to the page the staff member asked for before enrolment (kept
    in the session by the middleware; only a path of this site)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from ..middleware import AFTER_TWO_FACTOR_KEY

    target = request.session.pop(AFTER_TWO_FACTOR_KEY, None)
    if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("portal:my_spaces")
    return redirect(target)


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        audit_log(tenant=None, actor=user, action="portal.user.preferences_changed", target=user,
                  data={k: str(v) for k, v in form.cleaned_data.items() if k in form.changed_data})
        response = redirect("portal:preferences")
        # The interface follows the chosen language at once.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language,
                            samesite="Lax", secure=request.is_secure())
        translation.activate(user.language)
        messages.success(request, _("Vos préférences ont été enregistrées."))
        return response
    return render(request, "portal/preferences.html", {"form": form})


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
