from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("versements/", views.payments, name="payments"),
    path("versements/<int:pk>/transmis/", views.payment_sent, name="payment_sent"),
    path("versements/<int:pk>/verse/", views.payment_paid, name="payment_paid"),
    path("versements/fichier.csv", views.payments_csv, name="payments_csv"),
    path("versements/fichier.xlsx", views.payments_xlsx, name="payments_xlsx"),
    path("enveloppes/", views.envelope, name="envelope"),
    path("suivi/<int:pk>/", views.followup, name="followup"),
    path("suivi/<int:pk>/examen/", views.report_examine, name="report_examine"),
    path("dossiers/<int:pk>/bilan/", views.report_edit, name="report_edit"),
    path("dossiers/<int:pk>/courrier-de-solde.pdf", views.balance_letter,
         name="balance_letter"),
]
