from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from .views import account, manage, official, platform, privacy, public

# Pages under /<tenant_slug>/ (the TenantMiddleware resolves the slug).
tenant_patterns = [
    path("", public.tenant_home, name="tenant_home"),
    path("gestion/", manage.overview, name="manage_overview"),
    path("gestion/contrat/", manage.contract_edit, name="manage_contract"),
    path("gestion/organismes/", manage.organizations, name="manage_organizations"),
    path("gestion/organismes/<int:pk>/", manage.organization_edit,
         name="manage_organization_edit"),
    path("gestion/organismes/<int:pk>/supprimer/", manage.organization_delete,
         name="manage_organization_delete"),
    path("gestion/organismes/<int:pk>/identite/", official.organization_identity,
         name="manage_organization_identity"),
    path("gestion/documents-officiels/", official.documents_settings,
         name="manage_documents"),
    path("gestion/signataires/", manage.signatories, name="manage_signatories"),
    path("gestion/signataires/<int:pk>/", manage.signatory_edit, name="manage_signatory_edit"),
    path("gestion/signataires/<int:pk>/supprimer/", manage.signatory_delete,
         name="manage_signatory_delete"),
    path("gestion/membres/", manage.members, name="manage_members"),
    path("gestion/membres/<int:pk>/", manage.membership_edit, name="manage_membership_edit"),
    path("gestion/membres/<int:pk>/retirer/", manage.membership_remove,
         name="manage_membership_remove"),
    path("gestion/invitations/<int:pk>/renvoyer/", manage.invitation_resend,
         name="manage_invitation_resend"),
    path("gestion/invitations/<int:pk>/annuler/", manage.invitation_revoke,
         name="manage_invitation_revoke"),
    path("gestion/journal/", manage.audit_log_view, name="manage_audit_log"),
]

portal_patterns = [
    path("", public.platform_home, name="platform_home"),
    path("mentions-legales/", public.legal_notice, name="legal_notice"),
    path("accessibilite/", public.accessibility_statement, name="accessibility"),
    path("donnees-personnelles/", public.personal_data, name="personal_data"),
    path("mes-espaces/", account.my_spaces, name="my_spaces"),
    path("mes-espaces/preferences/", account.preferences, name="preferences"),
    path("mes-espaces/mon-nom/", account.name_prompt, name="name_prompt"),
    path("mes-espaces/continuer/", account.after_two_factor, name="after_two_factor"),
    path("mes-espaces/mes-donnees/", privacy.my_data, name="my_data"),
    path("mes-espaces/supprimer-mon-compte/", privacy.account_delete, name="account_delete"),
    path("invitations/<str:token>/", account.invitation_accept_view, name="invitation_accept"),
    path("plateforme/contrats/", platform.tenant_list, name="platform_tenants"),
    path("plateforme/contrats/nouveau/", platform.tenant_create, name="platform_tenant_create"),
    path("plateforme/contrats/<slug:slug>/", platform.tenant_edit, name="platform_tenant_edit"),
    path("plateforme/contrats/<slug:slug>/administrateurs/", platform.tenant_admins,
         name="platform_tenant_admins"),
    path("<slug:tenant_slug>/", include(tenant_patterns)),
]

# The admin site signs in through allauth's login (password, then TOTP), never through its
# own password-only form, which would skip the second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # The rich-text editor's French labels (a script file, not inline: CSP).
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_prose_editor"]),
         name="javascript_catalog"),
    path("healthz", public.healthz, name="healthz"),
    path("ping", public.ping, name="ping"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("structures/", include("applications.urls_global")),
    path("structures/", include("awards.urls_global")),
    path("national/", include("national.urls")),
    path("", include((portal_patterns, "portal"))),
]
# Each app's tenant pages share the /<tenant_slug>/ prefix (and its namespace).
urlpatterns += [
    path("<slug:tenant_slug>/", include(f"{app}.urls"))
    for app in ("calls", "applications", "reviews", "mentoring", "awards")
]

# The error pages, French and in the DSFR layout (portal/views/errors.py).
handler400 = "portal.views.errors.bad_request"
handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"
