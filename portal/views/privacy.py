"""A signed-in user's personal data: download it, delete the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from ..privacy import account_delete as account_delete_service
from ..privacy import account_deletion_blockers, user_data_export


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Votre mot de passe"),
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))


@never_cache
@login_required
def my_data(request):
    """GET: what is kept and the download button; POST: the JSON file."""
    if request.method == "POST":
        payload = json.dumps(user_data_export(user=request.user), cls=DjangoJSONEncoder,
                             ensure_ascii=False, indent=2)
        response = HttpResponse(payload, content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="mes-donnees-{stamp}.json"'
        return response
    return render(request, "portal/privacy/my_data.html")


@never_cache
@login_required
def account_delete(request):
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete_service(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                for message in exc.messages:
                    messages.error(request, message)
        else:
            logout(request)
            messages.success(request, _("Votre compte a été supprimé."))
            return redirect("portal:platform_home")
    return render(request, "portal/privacy/account_delete.html", {
        "form": form, "blockers": account_deletion_blockers(user=request.user)})
