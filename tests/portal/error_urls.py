"""The project's URLs plus views that fail on purpose (tests of the error pages)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("bad input")


def coded_denial(request):
    raise PermissionDenied("reviews.manage_sessions")


def sentence_denial(request):
    raise PermissionDenied("Cette étape n'est pas modifiable.")


urlpatterns = [
    path("essai/erreur/", boom),
    path("essai/requete/", suspicious),
    path("essai/refus-code/", coded_denial),
    path("essai/refus/", sentence_denial),
    *portal_urlpatterns,
]
