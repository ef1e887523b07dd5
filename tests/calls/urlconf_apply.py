"""URL confs for the "Apply" button tests: with and without `applications:dossier_start`,
whatever the applications app provides at the time."""

from django.http import HttpResponse
from django.urls import include, path

from portal import urls as portal_urls


def _without_applications():
    return [p for p in portal_urls.urlpatterns
            if "applications" not in {getattr(p, "namespace", None), getattr(p, "app_name", None)}]


def _start(request, **kwargs):
    return HttpResponse("start")


_fake_applications = ([path("<slug:tenant_slug>/appels/<slug:call_slug>/deposer/", _start,
                            name="dossier_start")], "applications")

with_apply = _without_applications() + [path("", include(_fake_applications))]
without_apply = _without_applications()
