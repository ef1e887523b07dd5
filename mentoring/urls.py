from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    # Beneficiary side
    path("mentorat/", views.home, name="home"),
    path("mentorat/besoin/", views.need_create, name="need_create"),
    path("mentorat/mes-demandes/", views.my_needs, name="my_needs"),
    path("mentorat/mes-demandes/<int:pk>/", views.my_need, name="my_need"),
    path("mentorat/mes-demandes/<int:pk>/retirer/", views.my_need_withdraw,
         name="my_need_withdraw"),
    path("mentorat/mes-accompagnements/", views.my_engagements, name="my_engagements"),
    path("mentorat/accompagnements/<int:pk>/convention.pdf", views.convention,
         name="convention"),
    path("mentorat/accompagnements/<int:pk>/retour/", views.feedback, name="feedback"),
    # Pilot structure side
    path("mentorat/pilotage/", views.dashboard, name="dashboard"),
    path("mentorat/pilotage/besoins/", views.pilot_needs, name="pilot_needs"),
    path("mentorat/pilotage/besoins/<int:pk>/", views.pilot_need, name="pilot_need"),
    path("mentorat/pilotage/besoins/<int:pk>/diagnostic/", views.need_diagnose,
         name="need_diagnose"),
    path("mentorat/pilotage/besoins/<int:pk>/choisir/", views.need_choose, name="need_choose"),
    path("mentorat/pilotage/repartition/", views.assignment, name="assignment"),
    path("mentorat/pilotage/repartition/calculs/<int:pk>/", views.assignment_run,
         name="assignment_run"),
    path("mentorat/pilotage/repartition/calculs/<int:pk>/progression/",
         views.assignment_run_progress, name="assignment_run_progress"),
    path("mentorat/pilotage/propositions/<int:pk>/accepter/", views.proposal_accept,
         name="proposal_accept"),
    path("mentorat/pilotage/propositions/<int:pk>/echanger/", views.proposal_swap,
         name="proposal_swap"),
    path("mentorat/pilotage/ressources/", views.resources, name="resources"),
    path("mentorat/pilotage/ressources/nouvelle/", views.resource_edit, name="resource_create"),
    path("mentorat/pilotage/ressources/<int:pk>/", views.resource_edit, name="resource_edit"),
    path("mentorat/pilotage/accompagnements/", views.engagements, name="engagements"),
    path("mentorat/pilotage/accompagnements/<int:pk>/", views.engagement, name="engagement"),
    path("mentorat/pilotage/accompagnements/<int:pk>/etat/", views.engagement_transition,
         name="engagement_transition"),
    path("mentorat/pilotage/accompagnements/<int:pk>/journees/", views.session_add,
         name="session_add"),
    path("mentorat/pilotage/journees/<int:pk>/realisee/", views.session_done,
         name="session_done"),
    path("mentorat/pilotage/thematiques/", views.themes, name="themes"),
    path("mentorat/pilotage/thematiques/<int:pk>/", views.theme_edit, name="theme_edit"),
    path("mentorat/pilotage/ponderations/", views.weights, name="weights"),
]
