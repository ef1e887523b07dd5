"""Pages outside any tenant: structure profiles (global) and the cross-region dossier list."""

from django.urls import path

from .views import structures

app_name = "structures"

urlpatterns = [
    path("", structures.structure_list, name="list"),
    path("nouvelle/", structures.structure_create, name="create"),
    path("<int:pk>/", structures.structure_detail, name="detail"),
    path("<int:pk>/modifier/", structures.structure_edit, name="edit"),
    path("<int:pk>/licences/", structures.licence_add, name="licence_add"),
    path("<int:pk>/licences/<int:licence_pk>/retirer/", structures.licence_remove,
         name="licence_remove"),
    path("<int:pk>/chiffres-d-affaires/", structures.revenue_add, name="revenue_add"),
    path("<int:pk>/chiffres-d-affaires/<int:revenue_pk>/retirer/", structures.revenue_remove,
         name="revenue_remove"),
    path("<int:pk>/membres/inviter/", structures.member_invite, name="member_invite"),
    path("invitations/<str:token>/", structures.invitation_accept, name="invitation_accept"),
    path("mes-dossiers/", structures.my_dossiers, name="my_dossiers"),
]
