from .urlconf_apply import without_apply as urlpatterns  # noqa: F401
