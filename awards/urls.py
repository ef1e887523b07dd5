from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("versements/", views.payments, name="payments"),
    path("versements/<int:pk>/transmis/", views.payment_sent, name="payment_sent"),
    path("versements/<int:pk>/verse/", views.payment_paid, name="payment_paid"),
    path("versements/fichier.csv", views.payments_csv, name="payments_csv"),
    path("versements/fichier.xlsx", views.payments_xlsx, name="payments_xlsx"),
    path("versements/virements-sepa.xml", views.payments_sepa, name="payments_sepa"),
    path("versements/comptes-payeurs/", views.funder_accounts, name="funder_accounts"),
    path("enveloppes/", views.envelope, name="envelope"),
    path("suivi/<int:pk>/", views.followup, name="followup"),
    path("suivi/<int:pk>/examen/", views.report_examine, name="report_examine"),
    path("dossiers/<int:pk>/bilan/", views.report_edit, name="report_edit"),
    path("dossiers/<int:pk>/bilan/pieces/<int:requirement_pk>/", views.report_document_upload,
         name="report_document_upload"),
    path("dossiers/<int:pk>/bilan/fichiers/<int:attachment_pk>/",
         views.report_document_download, name="report_document_download"),
    path("dossiers/<int:pk>/demarrage/", views.start_attestation, name="start_attestation"),
    path("dossiers/<int:pk>/demarrage/piece/", views.start_attestation_document,
         name="start_attestation_document"),
    path("dossiers/<int:pk>/courrier-de-solde.pdf", views.balance_letter,
         name="balance_letter"),
]
