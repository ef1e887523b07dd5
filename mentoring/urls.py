from django.urls import path

from .views import beneficiary, engagements, matching, needs, pool

app_name = "mentoring"

urlpatterns = [
    # Beneficiary side
    path("mentorat/", beneficiary.home, name="home"),
    path("mentorat/besoin/", beneficiary.need_create, name="need_create"),
    path("mentorat/mes-demandes/", beneficiary.my_needs, name="my_needs"),
    path("mentorat/mes-demandes/<int:pk>/", beneficiary.my_need, name="my_need"),
    path("mentorat/mes-demandes/<int:pk>/retirer/", beneficiary.my_need_withdraw,
         name="my_need_withdraw"),
    path("mentorat/mes-accompagnements/", beneficiary.my_engagements, name="my_engagements"),
    path("mentorat/accompagnements/<int:pk>/convention.pdf", beneficiary.convention,
         name="convention"),
    path("mentorat/accompagnements/<int:pk>/retour/", beneficiary.feedback, name="feedback"),
    # Pilot structure side
    path("mentorat/pilotage/", needs.dashboard, name="dashboard"),
    path("mentorat/pilotage/besoins/", needs.pilot_needs, name="pilot_needs"),
    path("mentorat/pilotage/besoins/<int:pk>/", needs.pilot_need, name="pilot_need"),
    path("mentorat/pilotage/besoins/<int:pk>/diagnostic/", needs.need_diagnose,
         name="need_diagnose"),
    path("mentorat/pilotage/besoins/<int:pk>/choisir/", needs.need_choose, name="need_choose"),
    path("mentorat/pilotage/repartition/", matching.assignment, name="assignment"),
    path("mentorat/pilotage/repartition/calculs/<int:pk>/", matching.assignment_run,
         name="assignment_run"),
    path("mentorat/pilotage/repartition/calculs/<int:pk>/progression/",
         matching.assignment_run_progress, name="assignment_run_progress"),
    path("mentorat/pilotage/propositions/<int:pk>/accepter/", matching.proposal_accept,
         name="proposal_accept"),
    path("mentorat/pilotage/propositions/<int:pk>/echanger/", matching.proposal_swap,
         name="proposal_swap"),
    path("mentorat/pilotage/ressources/", pool.resources, name="resources"),
    path("mentorat/pilotage/ressources/nouvelle/", pool.resource_edit, name="resource_create"),
    path("mentorat/pilotage/ressources/<int:pk>/", pool.resource_edit, name="resource_edit"),
    path("mentorat/pilotage/accompagnements/", engagements.engagements, name="engagements"),
    path("mentorat/pilotage/accompagnements/<int:pk>/", engagements.engagement, name="engagement"),
    path("mentorat/pilotage/accompagnements/<int:pk>/etat/", engagements.engagement_transition,
         name="engagement_transition"),
    path("mentorat/pilotage/accompagnements/<int:pk>/journees/", engagements.session_add,
         name="session_add"),
    path("mentorat/pilotage/journees/<int:pk>/realisee/", engagements.session_done,
         name="session_done"),
    path("mentorat/pilotage/thematiques/", pool.themes, name="themes"),
    path("mentorat/pilotage/thematiques/<int:pk>/", pool.theme_edit, name="theme_edit"),
    path("mentorat/pilotage/ponderations/", pool.weights, name="weights"),
]
