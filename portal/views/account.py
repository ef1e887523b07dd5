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
from django.views.decorators.http import require_POST

from ..forms import InvitationAcceptForm, PersonNameForm, PreferencesForm
from ..models import Invitation
from ..selectors import pending_invitations_for_user, spaces_for_user
from ..services import invitation_accept, user_dismiss_name_prompt, user_set_name


def _asks_name(user) -> bool:
    return not user.has_name and not user.name_prompt_dismissed


@login_required
def my_spaces(request, *, name_form=None, status=200):
    user = request.user
    if name_form is None and _asks_name(user):
        name_form = PersonNameForm(initial={"first_name": user.first_name,
                                            "last_name": user.last_name})
    return render(request, "portal/my_spaces.html", {
        "spaces": spaces_for_user(user),
        "invitations": pending_invitations_for_user(user),
        "my_space_sections": ["applications/_my_space_section.html"],
        "name_form": name_form,
    }, status=status)


@require_POST
@login_required
def name_prompt(request):
    """The spaces page's prompt for people without a name: save it, or "later" (asked once:
    a dismissed prompt does not come back; the preferences page still has the fields)."""
    if request.POST.get("action") == "later":
        user_dismiss_name_prompt(user=request.user)
        return redirect("portal:my_spaces")
    form = PersonNameForm(request.POST)
    if form.is_valid():
        user_set_name(user=request.user, **form.cleaned_data)
        messages.success(request, _("Merci, votre nom est enregistré : c’est ainsi que vous "
                                    "apparaîtrez auprès des autres membres."))
        return redirect("portal:my_spaces")
    return my_spaces(request, name_form=form, status=400)


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


def _invitation_state(invitation) -> str:
    if invitation.accepted_at:
        return "accepted"
    if invitation.revoked_at:
        return "revoked"
    if not invitation.is_pending:
        return "expired"
    return "pending"


def invitation_accept_view(request, token: str):
    """The page the invitation e-mail links to. The token is the capability (it was mailed to
    the invited address): the page says who invites whom, to which contract, role and
    organisation, whoever opens it. Then, for a visitor: sign-up with the address filled in
    (the address counts as verified, since the link reached it) or login if the account
    exists, both coming back here; for the invited person signed in: their name and function,
    and the acceptance."""
    from allauth.account.adapter import get_adapter
    from django.utils.http import urlencode

    from ..models import User

    with scopes_disabled():  # tenant lookup: the token names the tenant
        invitation = Invitation.objects.select_related(
            "tenant", "organization", "invited_by").filter(token=token).first()
    if invitation is None:
        raise Http404
    user = request.user
    state = _invitation_state(invitation)
    context = {"invitation": invitation, "state": state,
               "inviter": invitation.invited_by.display_name if invitation.invited_by else ""}
    if not user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        has_account = User.objects.filter(email__iexact=invitation.email).exists()
        if state == "pending" and not has_account:
            get_adapter(request).stash_verified_email(request, invitation.email)
        context.update(
            has_account=has_account,
            signup_url=f"{reverse('account_signup')}?"
                       f"{urlencode({'email': invitation.email, 'next': request.path})}",
            login_url=f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        return render(request, "portal/invitation_accept.html", context)
    if user.email.lower() != invitation.email.lower():
        context["other_account"] = True
        return render(request, "portal/invitation_accept.html", context,
                      status=403 if request.method == "POST" else 200)
    initial = {"first_name": user.first_name, "last_name": user.last_name,
               "title": invitation.title}
    form = InvitationAcceptForm(request.POST or None, initial=initial)
    if request.method == "POST" and state == "pending" and form.is_valid():
        with scope(tenant=invitation.tenant):
            try:
                user_set_name(user=user, first_name=form.cleaned_data["first_name"],
                              last_name=form.cleaned_data["last_name"])
                invitation_accept(user=user, invitation=invitation,
                                  title=form.cleaned_data["title"])
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect("portal:my_spaces")
        messages.success(request, _("Bienvenue : vous êtes désormais %(role)s de %(tenant)s.")
                         % {"role": invitation.get_role_display(),
                            "tenant": invitation.tenant.name})
        return redirect("portal:tenant_home", tenant_slug=invitation.tenant.slug)
    context["form"] = form
    return render(request, "portal/invitation_accept.html", context,
                  status=400 if request.method == "POST" else 200)
