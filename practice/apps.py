from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Praktijk"

    def ready(self):
        from . import startup  # noqa: F401 - registers the secret key check
