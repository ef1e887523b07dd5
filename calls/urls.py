from django.urls import path

from . import views

app_name = "calls"

ITEM = "gestion/appels/<slug:call_slug>/<str:kind>"

urlpatterns = [
    # Public pages
    path("appels/", views.call_index, name="call_index"),
    path("appels/calendrier.ics", views.tenant_ical, name="tenant_ical"),
    path("appels/<slug:call_slug>/", views.call_detail, name="call_detail"),
    path("appels/<slug:call_slug>/calendrier.ics", views.call_ical, name="call_ical"),
    # Tenant admin
    path("gestion/appels/", views.manage_call_list, name="manage_call_list"),
    path("gestion/appels/nouveau/", views.manage_call_create, name="manage_call_create"),
    path("gestion/appels/<slug:call_slug>/", views.manage_call, name="manage_call"),
    path("gestion/appels/<slug:call_slug>/modifier/", views.manage_call_edit,
         name="manage_call_edit"),
    path("gestion/appels/<slug:call_slug>/publier/", views.manage_call_publish,
         name="manage_call_publish"),
    path("gestion/appels/<slug:call_slug>/cloturer/", views.manage_call_close,
         name="manage_call_close"),
    path("gestion/appels/<slug:call_slug>/archiver/", views.manage_call_archive,
         name="manage_call_archive"),
    path("gestion/appels/<slug:call_slug>/supprimer/", views.manage_call_delete,
         name="manage_call_delete"),
    path("gestion/appels/<slug:call_slug>/dupliquer/", views.manage_call_clone,
         name="manage_call_clone"),
    path(f"{ITEM}/nouveau/", views.manage_item_create, name="manage_item_create"),
    path(f"{ITEM}/<int:pk>/", views.manage_item_edit, name="manage_item_edit"),
    path(f"{ITEM}/<int:pk>/supprimer/", views.manage_item_delete, name="manage_item_delete"),
]
