"""Reads of the applicant side."""

from django.db.models import QuerySet

from .models import Structure


def structures_for_user(user) -> QuerySet[Structure]:
    return (Structure.objects.filter(members__user=user)
            .prefetch_related("licences").order_by("name"))
