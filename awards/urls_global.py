"""The structure's bank account, outside any tenant (the structure is global)."""

from django.urls import path

from . import views

app_name = "bank"

urlpatterns = [
    path("<int:pk>/coordonnees-bancaires/", views.bank_account_edit, name="edit"),
]
