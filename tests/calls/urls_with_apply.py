from .urlconf_apply import with_apply as urlpatterns  # noqa: F401
