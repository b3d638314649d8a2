from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Kennismakingsgesprekken")

    def ready(self):
        from .db_guards import ensure_sqlite_triggers

        post_migrate.connect(ensure_sqlite_triggers, sender=self)

        from content.markup import EXTRA_PLACEHOLDERS

        from .models import BookingRules

        EXTRA_PLACEHOLDERS["bewaartermijn"] = lambda: BookingRules.load().retention_days
        EXTRA_PLACEHOLDERS["afzegtermijn"] = lambda: BookingRules.load().cancel_hours
