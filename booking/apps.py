from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Kennismakingsgesprekken")

    def ready(self):
        from .db_guards import ensure_sqlite_triggers

        post_migrate.connect(ensure_sqlite_triggers, sender=self)

        from django.utils import timezone

        from .models import AgendaFeed, Booking

        # However a booking is deleted (erasure, the admin), calendars must learn it is gone.
        post_delete.connect(
            lambda **kwargs: AgendaFeed.bookings_changed(timezone.now()),
            sender=Booking,
            weak=False,
            dispatch_uid="booking_deleted_changes_feed",
        )

        from content.markup import EXTRA_PLACEHOLDERS

        from .models import BookingRules

        EXTRA_PLACEHOLDERS["bewaartermijn"] = lambda: BookingRules.load().retention_days
        EXTRA_PLACEHOLDERS["afzegtermijn"] = lambda: BookingRules.load().cancel_hours
