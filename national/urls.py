from django.urls import path

from . import views

app_name = "national"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("agents/", views.officers, name="officers"),
    path("agents/<int:pk>/retirer/", views.officer_revoke, name="officer_revoke"),
]
