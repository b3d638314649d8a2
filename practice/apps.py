from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PracticeConfig(AppConfig):
    default = True
    name = "practice"
    verbose_name = "Praktijk"

    def ready(self):
        from . import admin_site, startup  # noqa: F401 - registers the login receiver and the secret key check


class PracticeAdminConfig(admin_apps.AdminConfig):
    """The admin, with the practice's own site: her day first, her sections in her words."""

    default = False  # named explicitly in INSTALLED_APPS
    default_site = "practice.admin_site.PracticeAdminSite"
