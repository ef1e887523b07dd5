from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    default_auto_field = "django.db.models.BigAutoField"
