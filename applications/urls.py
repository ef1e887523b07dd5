from django.urls import path

from .views import dossiers

app_name = "applications"

D = "dossiers/<int:pk>"

urlpatterns = [
    path("appels/<slug:call_slug>/deposer/", dossiers.dossier_start, name="dossier_start"),
    path("dossiers/", dossiers.dossier_list, name="dossier_list"),
    path(f"{D}/", dossiers.dossier_detail, name="dossier_detail"),
    path(f"{D}/etapes/<str:step>/", dossiers.dossier_step, name="dossier_step"),
    path(f"{D}/deposer/", dossiers.dossier_submit, name="dossier_submit"),
    path(f"{D}/retirer/", dossiers.dossier_withdraw, name="dossier_withdraw"),
    path(f"{D}/messages/", dossiers.dossier_message, name="dossier_message"),
    path(f"{D}/complements/", dossiers.dossier_request_completion,
         name="dossier_request_completion"),
    path(f"{D}/pieces/<int:requirement_pk>/", dossiers.attachment_upload,
         name="attachment_upload"),
    path(f"{D}/fichiers/<int:attachment_pk>/", dossiers.attachment_download,
         name="attachment_download"),
    path(f"{D}/fichiers/<int:attachment_pk>/retirer/", dossiers.attachment_remove,
         name="attachment_remove"),
    path(f"{D}/accuse-de-reception.pdf", dossiers.dossier_receipt, name="dossier_receipt"),
    path(f"{D}/export/", dossiers.dossier_export, name="dossier_export"),
    path(f"{D}/export/<int:export_pk>/", dossiers.dossier_export_job, name="dossier_export_job"),
    path(f"{D}/export/<int:export_pk>/progression/", dossiers.dossier_export_progress,
         name="dossier_export_progress"),
    path(f"{D}/export/<int:export_pk>/dossier.pdf", dossiers.dossier_export_download,
         name="dossier_export_download"),
]
