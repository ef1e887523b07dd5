from django.urls import path

from . import views, views_dashboard

app_name = "reviews"

D = "instruction/dossiers/<int:pk>"
S = "comites/<int:session_pk>"

urlpatterns = [
    path("instruction/", views_dashboard.dashboard, name="dashboard"),
    path("instruction/vues/", views_dashboard.saved_view_save, name="saved_view_save"),
    path("instruction/vues/<int:view_pk>/supprimer/", views_dashboard.saved_view_delete,
         name="saved_view_delete"),
    path("instruction/selection/", views_dashboard.selection, name="selection"),
    path("instruction/lots/<int:job_pk>/", views_dashboard.batch_detail, name="batch"),
    path("instruction/lots/<int:job_pk>/progression/", views_dashboard.batch_progress,
         name="batch_progress"),
    path("instruction/export.csv", views.export_csv, name="export_csv"),
    path("instruction/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("instruction/export.ods", views.export_ods, name="export_ods"),
    path("instruction/affectations/", views.assignment_overview, name="assignments"),
    path("instruction/seuil-de-desaccord/", views.threshold_set, name="threshold_set"),
    path("instruction/liens-d-interets/", views.conflicts, name="conflicts"),
    path("instruction/liens-d-interets/<int:conflict_pk>/retirer/", views.conflict_delete,
         name="conflict_delete"),
    path(f"{D}/", views.dossier_instruction, name="dossier"),
    path(f"{D}/deport/", views_dashboard.dossier_recuse, name="dossier_recuse"),
    path(f"{D}/recevabilite/", views.eligibility_confirm, name="eligibility_confirm"),
    path(f"{D}/rapporteurs/", views.assignment_add, name="assignment_add"),
    path(f"{D}/rapporteurs/<int:assignment_pk>/retirer/", views.assignment_remove,
         name="assignment_remove"),
    path(f"{D}/evaluation/", views.review_save, name="review_save"),
    path("comites/", views.session_list, name="session_list"),
    path(f"{S}/", views.session_detail, name="session"),
    path(f"{S}/modifier/", views.session_edit, name="session_edit"),
    path(f"{S}/membres/", views.session_members, name="session_members"),
    path(f"{S}/membres/<int:member_pk>/retirer/", views.session_member_remove,
         name="session_member_remove"),
    path(f"{S}/ordre-du-jour/", views.session_agenda, name="session_agenda"),
    path(f"{S}/dossiers/<int:pk>/decision/", views.decision_record, name="decision_record"),
    path(f"{S}/dossiers/<int:pk>/pieces/<int:attachment_pk>/", views.agenda_attachment,
         name="agenda_attachment"),
    path(f"{S}/dossiers/<int:pk>/deport/", views.recusal_declare, name="recusal_declare"),
    path(f"{S}/cloture/", views.session_close, name="session_close"),
    path(f"{S}/proces-verbal.pdf", views.session_minutes, name="session_minutes"),
    path(f"{S}/courriers/", views.session_letters, name="session_letters"),
    path(f"{S}/courriers/progression/", views.session_letters_progress,
         name="session_letters_progress"),
    path("decisions/<int:decision_pk>/courrier.pdf", views.decision_letter,
         name="decision_letter"),
]
