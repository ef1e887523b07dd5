"""django-allauth adapter of the portal (ACCOUNT_ADAPTER)."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """An invitation link stashes the invited address as verified (the link reached it),
        so that signing up with it needs no second e-mail. allauth would attach that address
        to whatever account is then created; it counts only for an account signing up with
        that very address, any other address is verified by e-mail as usual."""
        stashed = request.session.get("account_verified_email")
        email = (form.cleaned_data.get("email") or "").strip().lower()
        if stashed and stashed.strip().lower() != email:
            self.unstash_verified_email(request)
        return super().save_user(request, user, form, commit=commit)
